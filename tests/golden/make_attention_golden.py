"""Writes attention.json: PyTorch 1.13's causal scaled-dot-product attention,
softmax(q·kᵀ/√d masked_fill(future, -inf))·v, on (B, H, T, d) = (2, 2, 5, 4) in float64, with the
gradients of <gy, out> for q, k and v (tests/autodiff/attention_test.cc, issue 26's acceptance item).

Run with /usr/bin/python3 (which has torch). The mask is torch.triu(ones, diagonal=1) as a bool tensor,
the form a LibTorch user writes, independent of how the C++ test builds its 0/1 mask.
"""
import math

import torch

from golden import case, write

torch.manual_seed(0)

B, H, T, D = 2, 2, 5, 4
q, k, v = (torch.randn(B, H, T, D, dtype=torch.float64).requires_grad_(True) for _ in range(3))
future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(D)
out = torch.matmul(scores.masked_fill(future, -math.inf).softmax(-1), v)
gy = torch.randn(out.shape, dtype=torch.float64)
out.backward(gy)

cases = [case("causal_2x2x5x4", dict(B=B, H=H, T=T, d=D), q=q.detach(), k=k.detach(), v=v.detach(),
              out=out.detach(), gy=gy, dq=q.grad, dk=k.grad, dv=v.grad)]
write("attention.json", cases, "tests/golden/make_attention_golden.py")
