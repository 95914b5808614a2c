"""Writes slicing.json: PyTorch 1.13's narrow, select, slice (with a step), split, chunk, cat, stack,
unsqueeze, squeeze, flatten and t, in float64: each case's inputs, output(s) and the gradients of
Σ <gy_k, out_k> for every input.

Run with /usr/bin/python3 (which has torch). tests/autodiff/slicing_test.cc runs the same ops.
"""
import torch

from golden import case, write

torch.manual_seed(0)


def run(name, fn, shapes, **attrs):
    inputs = [torch.randn(s, dtype=torch.float64).requires_grad_(True) for s in shapes]
    outs = fn(*inputs)
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    gys = [torch.randn(o.shape, dtype=torch.float64) for o in outs]
    torch.autograd.backward(outs, gys)
    tensors = {f"in{i}": t.detach() for i, t in enumerate(inputs)}
    tensors.update({f"d{i}": t.grad for i, t in enumerate(inputs)})
    tensors.update({f"out{k}": o.detach() for k, o in enumerate(outs)})
    tensors.update({f"gy{k}": g for k, g in enumerate(gys)})
    return case(name, dict(inputs=len(inputs), outputs=len(outs), **attrs), **tensors)


cases = [
    run("narrow", lambda x: x.narrow(1, 1, 2), [(2, 4, 3)], op="narrow", dim=1, start=1, length=2),
    run("narrow_negative_start", lambda x: x.narrow(0, -2, 2), [(5, 3)], op="narrow", dim=0, start=-2, length=2),
    run("select", lambda x: x.select(2, 1), [(2, 3, 4)], op="select", dim=2, index=1),
    run("select_negative", lambda x: x.select(0, -1), [(3, 2)], op="select", dim=0, index=-1),
    run("slice_step", lambda x: x[:, 1:7:2], [(3, 8)], op="slice", dim=1, start=1, end=7, step=2),
    run("slice_clamped", lambda x: x[-10:2], [(4, 2)], op="slice", dim=0, start=-10, end=2, step=1),
    run("split", lambda x: x.split(2, 1), [(2, 5)], op="split", size=2, dim=1),
    run("chunk", lambda x: x.chunk(3, 0), [(7, 2)], op="chunk", chunks=3, dim=0),
    run("cat", lambda a, b, c: torch.cat([a, b, c], 1), [(2, 1, 3), (2, 4, 3), (2, 2, 3)], op="cat", dim=1),
    run("cat_last", lambda a, b: torch.cat([a, b], -1), [(3, 2), (3, 1)], op="cat", dim=-1),
    run("stack", lambda a, b: torch.stack([a, b], 1), [(3, 2), (3, 2)], op="stack", dim=1),
    run("unsqueeze", lambda x: x.unsqueeze(-1), [(2, 3)], op="unsqueeze", dim=-1),
    run("squeeze_dim", lambda x: x.squeeze(1), [(2, 1, 3)], op="squeeze", dim=1),
    run("squeeze_all", lambda x: x.squeeze(), [(1, 3, 1, 2)], op="squeeze_all"),
    run("flatten", lambda x: x.flatten(1, 2), [(2, 3, 4, 2)], op="flatten", start=1, end=2),
    run("t", lambda x: x.t(), [(3, 5)], op="t"),
]
write("slicing.json", cases, "tests/golden/make_slicing_golden.py")
