"""Writes promotion.json: PyTorch 1.13's type promotion for lucid's dtypes. For every pair of operand
kinds (dimensioned or 0-d; float32, float64 or int64) the result dtype of a + b, a * b,
torch.where(cond, a, b) and the dtype a > b compares in (torch.result_type), the values of a·b, and the gradients of sum(a·b) for the floating
operands (each in its own dtype).

Run with /usr/bin/python3 (which has torch).
"""
import torch

from golden import case, write

KINDS = [("dim", torch.float32), ("dim", torch.float64), ("dim", torch.int64),
         ("0d", torch.float32), ("0d", torch.float64), ("0d", torch.int64)]
NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}


def operand(kind, dtype, values):
    t = torch.tensor(values if kind == "dim" else values[0], dtype=dtype)
    return t.requires_grad_(dtype.is_floating_point)


cases = []
for ka, da in KINDS:
    for kb, db in KINDS:
        a = operand(ka, da, [1.5, -2.25, 3.0] if da.is_floating_point else [1, -2, 3])
        b = operand(kb, db, [0.5, 4.0, -1.25] if db.is_floating_point else [2, 5, -1])
        product = a * b
        attrs = {"a": [ka, NAMES[da]], "b": [kb, NAMES[db]], "add": NAMES[(a + b).dtype],
                 "mul": NAMES[product.dtype], "where": NAMES[torch.where(torch.ones(3, dtype=torch.bool), a, b).dtype],
                 "compared_in": NAMES[torch.result_type(a, b)]}
        tensors = {"a": a.detach(), "b": b.detach(), "product": product.detach()}
        if product.dtype.is_floating_point:
            product.sum().backward()
            if a.grad is not None:
                tensors["da"] = a.grad
            if b.grad is not None:
                tensors["db"] = b.grad
        cases.append(case(f"{ka}_{NAMES[da]}__{kb}_{NAMES[db]}", attrs, **tensors))
write("promotion.json", cases, "tests/golden/make_promotion_golden.py")
