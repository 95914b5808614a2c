"""Writes matmul.json: PyTorch 1.13's matmul (1-D, 2-D, batched and broadcast operands), bmm, baddbmm
and outer, in float64, with the gradients of <gy, out> for every operand.

Run with /usr/bin/python3 (which has torch). Inputs are rounded to float32 so that
tests/autodiff/matmul_parity_test.cc runs the same values in float32 and float64.
"""
import torch

from golden import case, write

torch.manual_seed(0)


def f32_exact(t):
    return t.to(torch.float32).to(torch.float64)


def product_case(name, op, shapes, **attrs):
    inputs = [f32_exact(torch.randn(s, dtype=torch.float64)).requires_grad_(True) for s in shapes]
    if op == "matmul":
        out = torch.matmul(*inputs)
    elif op == "bmm":
        out = torch.bmm(*inputs)
    elif op == "baddbmm":
        out = torch.baddbmm(*inputs, beta=attrs["beta"], alpha=attrs["alpha"])
    elif op == "outer":
        out = torch.outer(*inputs)
    gy = f32_exact(torch.randn(out.shape, dtype=torch.float64))
    out.backward(gy)
    tensors = {f"in{i}": t.detach() for i, t in enumerate(inputs)}
    tensors.update({f"d{i}": t.grad for i, t in enumerate(inputs)})
    return case(name, dict(op=op, inputs=len(inputs), **attrs), out=out.detach(), gy=gy, **tensors)


cases = [
    product_case("dot", "matmul", [(5,), (5,)]),
    product_case("matrix_vector", "matmul", [(3, 5), (5,)]),
    product_case("vector_matrix", "matmul", [(5,), (5, 4)]),
    product_case("matrix_matrix", "matmul", [(3, 5), (5, 4)]),
    product_case("batch_vector", "matmul", [(2, 3, 5), (5,)]),
    product_case("vector_batch", "matmul", [(5,), (2, 5, 4)]),
    product_case("batch_matrix", "matmul", [(2, 3, 3, 5), (5, 4)]),
    product_case("matrix_batch", "matmul", [(3, 5), (2, 5, 4)]),
    product_case("batch_batch", "matmul", [(2, 3, 6, 5), (2, 3, 5, 4)]),
    product_case("broadcast_batches", "matmul", [(2, 1, 3, 5), (4, 5, 2)]),
    product_case("attention_scores", "matmul", [(2, 2, 7, 4), (2, 2, 4, 7)]),
    product_case("bmm", "bmm", [(3, 4, 5), (3, 5, 2)]),
    product_case("baddbmm", "baddbmm", [(3, 4, 2), (3, 4, 5), (3, 5, 2)], beta=0.5, alpha=-2.0),
    product_case("baddbmm_broadcast_input", "baddbmm", [(4, 1), (3, 4, 5), (3, 5, 2)], beta=1.0, alpha=1.0),
    product_case("outer", "outer", [(4,), (3,)]),
]
write("matmul.json", cases, "tests/golden/make_matmul_golden.py")
