"""Golden values for tests/modules/clip_grad_test.cc, computed with torch.nn.utils.clip_grad_norm_.

clip_grad.json: each case gives three float64 parameters a (3, 4), b (5,), c (2, 2, 2) random gradients
(c none when attrs["c_has_grad"] is false) and runs clip_grad_norm_(params, max_norm, norm_type).
Stored: grad_<p> before, clipped_<p> after, and attrs total_norm (the value returned).

Run with /usr/bin/python3 (torch 1.13): /usr/bin/python3 tests/golden/make_clip_grad_golden.py
"""
import math

import torch

import golden

CASES = [
    ("l2_clipped", 1.0, 2.0, True),
    ("l2_unclipped", 100.0, 2.0, True),
    ("l1", 2.0, 1.0, True),
    ("l3", 0.5, 3.0, True),
    ("inf", 0.3, math.inf, True),
    ("fractional_p", 1.5, 0.5, True),
    ("skips_missing_grad", 0.7, 2.0, False),
]


def clip_case(name, max_norm, norm_type, c_has_grad):
    gen = torch.Generator().manual_seed(sum(map(ord, name)))
    shapes = {"a": (3, 4), "b": (5,), "c": (2, 2, 2)}
    params = {k: torch.zeros(s, dtype=torch.float64, requires_grad=True) for k, s in shapes.items()}
    tensors = {}
    for k, p in params.items():
        if k != "c" or c_has_grad:
            p.grad = torch.randn(p.shape, dtype=torch.float64, generator=gen) * 0.8
            tensors[f"grad_{k}"] = p.grad.clone()
    total = torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm, norm_type)
    for k, p in params.items():
        if p.grad is not None:
            tensors[f"clipped_{k}"] = p.grad.clone()
    attrs = dict(max_norm=max_norm, norm_type=golden.encode(norm_type), c_has_grad=c_has_grad,
                 total_norm=total.item())
    return golden.case(name, attrs, **tensors)


if __name__ == "__main__":
    golden.write("clip_grad.json", [clip_case(*c) for c in CASES], "tests/golden/make_clip_grad_golden.py")
