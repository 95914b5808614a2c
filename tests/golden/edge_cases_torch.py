"""Prints PyTorch 1.13's results for the edge cases that tests/modules/pytorch_edge_cases_test.cc
hard-codes (±inf, NaN and signed zeros do not survive JSON, so the values are written in the test,
each next to its case). Run with /usr/bin/python3; float32 and float64 agree on every printed value.
"""
import math

import torch
import torch.nn.functional as F

inf, nan = math.inf, math.nan

for dtype in (torch.float32, torch.float64):
    print(dtype)
    x = torch.tensor([[1.0, inf, 2.0], [inf, inf, 0.0], [-inf, 0.0, 1.0]], dtype=dtype, requires_grad=True)
    y = torch.log_softmax(x, 1)
    y.backward(torch.ones_like(y))
    print("log_softmax", y.tolist(), "grad", x.grad.tolist())

    base = [-inf, -0.0, 0.0, inf, -1.0, 4.0, nan]
    for p in (0.5, -0.5):
        b = torch.tensor(base, dtype=dtype, requires_grad=True)
        y = torch.pow(b, p)
        y.backward(torch.ones_like(y))
        print("pow", p, y.tolist(), "signbit", torch.signbit(y).tolist(), "grad", b.grad.tolist())

    r = torch.tensor([nan, -1.0, 0.0, -0.0, 1.0], dtype=dtype, requires_grad=True)
    y = torch.relu(r)
    y.backward(torch.full_like(y, 2.0))
    print("relu", y.tolist(), "grad", r.grad.tolist())

    q = torch.tensor([-0.0, 0.0, -1.0, inf, -inf], dtype=dtype, requires_grad=True)
    y = torch.rsqrt(q)
    y.backward(torch.ones_like(y))
    print("rsqrt", y.tolist(), "grad", q.grad.tolist())

    for op in (torch.maximum, torch.minimum):
        a = torch.tensor([1.0, 2.0, nan, 1.0, nan], dtype=dtype, requires_grad=True)
        c = torch.tensor([1.0, 1.0, 1.0, nan, nan], dtype=dtype, requires_grad=True)
        y = op(a, c)
        y.backward(torch.full_like(y, 4.0))
        print(op.__name__, y.tolist(), "grads", a.grad.tolist(), c.grad.tolist())

    w = torch.zeros(3, 0, dtype=dtype)
    bias = torch.tensor([1.0, 2.0, 3.0], dtype=dtype, requires_grad=True)
    xi = torch.zeros(2, 0, dtype=dtype, requires_grad=True)
    y = F.linear(xi, w, bias)
    y.sum().backward()
    print("linear in_features=0", y.tolist(), "dbias", bias.grad.tolist(), "dx shape", list(xi.grad.shape),
          "(4, 2, 0) ->", list(F.linear(torch.zeros(4, 2, 0, dtype=dtype), w, bias).shape),
          "(0,) ->", F.linear(torch.zeros(0, dtype=dtype), w, bias).tolist(),
          "no bias", F.linear(torch.zeros(2, 0, dtype=dtype), w).tolist())
