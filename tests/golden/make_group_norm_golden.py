"""Writes group_norm.json: PyTorch 1.13 GroupNorm in float64 (forward and backward) on a spread of shapes.

Run with /usr/bin/python3 (which has torch). Each case stores x, weight, bias (when affine), an upstream
gradient dy, and PyTorch's y = group_norm(x), dx, dweight, dbias for the loss <dy, y>. Every input is
rounded to float32 first, so the float32 tests in tests/modules/group_norm_parity_test.cc see the very
same inputs and measure only lucid's arithmetic error against these float64 values.

Independent check: every stored output is compared with the closed form evaluated in numpy's extended
precision (x87 long double, 64-bit mantissa); the script stops when PyTorch deviates from it by more
than 1e-11 relative to the magnitude of the tensor. Measured: ≤ 1e-13 everywhere except the cases with
values ~1e4 + unit noise, where PyTorch's float64 statistics and backward lose about four digits to
the offset (up to 1.3e-12 in dweight, 8e-13 in y); far below the 1e-10 of the float64 test.
"""
import numpy as np
import torch

from golden import case, write

torch.manual_seed(0)


def f32_exact(t):
    """t rounded to the nearest float32, held in float64."""
    return t.to(torch.float32).to(torch.float64)


def closed_form(x, weight, bias, dy, groups, eps):
    """y, dx, dweight, dbias in long double: x̂ = (x − μ)/√(σ² + eps) per (n, group) (biased σ²),
    y = x̂·γ + β, dγ = Σ dy·x̂, dβ = Σ dy, dx = rstd·(d − mean(d) − x̂·mean(d·x̂)) with d = dy·γ."""
    ld = np.longdouble
    n, c = x.shape[0], x.shape[1]
    xs = x.numpy().astype(ld).reshape(n, groups, -1)
    channel = (1, c) + (1,) * (x.dim() - 2)
    gamma = weight.numpy().astype(ld).reshape(channel) if weight is not None else ld(1)
    beta = bias.numpy().astype(ld).reshape(channel) if bias is not None else ld(0)
    mean = xs.mean(axis=2, keepdims=True)
    centered = xs - mean
    rstd = 1 / np.sqrt((centered * centered).mean(axis=2, keepdims=True) + ld(eps))
    xhat = (centered * rstd).reshape(x.shape)
    g = dy.numpy().astype(ld)
    d = (g * gamma).reshape(n, groups, -1)
    xhat_g = xhat.reshape(n, groups, -1)
    dx = rstd * (d - d.mean(axis=2, keepdims=True) - xhat_g * (d * xhat_g).mean(axis=2, keepdims=True))
    others = tuple(i for i in range(x.dim()) if i != 1)
    return xhat * gamma + beta, dx.reshape(x.shape), (g * xhat).sum(axis=others), g.sum(axis=others)


def relative_gap(got, want):
    """max |got − want| / max |want| (long double)."""
    want = np.asarray(want, dtype=np.longdouble)
    gap = np.abs(got.numpy().astype(np.longdouble) - want).max()
    scale = max(np.abs(want).max(), np.longdouble(1e-300))
    return float(gap / scale)


def make_case(name, x, groups, eps, affine, dy=None):
    c = x.shape[1]
    x = f32_exact(x)
    weight = f32_exact(1 + 0.5 * torch.randn(c, dtype=torch.float64)) if affine else None
    bias = f32_exact(0.5 * torch.randn(c, dtype=torch.float64)) if affine else None
    dy = f32_exact(torch.randn(x.shape, dtype=torch.float64) if dy is None else dy)
    xr = x.clone().requires_grad_(True)
    wr = weight.clone().requires_grad_(True) if affine else None
    br = bias.clone().requires_grad_(True) if affine else None
    y = torch.nn.functional.group_norm(xr, groups, wr, br, eps)
    y.backward(dy)
    outputs = {"y": y, "dx": xr.grad, "dweight": wr.grad if affine else None, "dbias": br.grad if affine else None}
    reference = dict(zip(["y", "dx", "dweight", "dbias"], closed_form(x, weight, bias, dy, groups, eps)))
    for key, value in outputs.items():
        if value is None:
            continue
        gap = relative_gap(value.detach(), reference[key])
        if gap > 1e-11:
            raise SystemExit(f"{name}: PyTorch's {key} deviates from the extended-precision closed form by {gap:.3g}")
    attrs = {"num_groups": groups, "eps": eps, "affine": affine}
    return case(name, attrs, x=x, weight=weight, bias=bias, dy=dy, **outputs)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def near_constant():
    """(2, 4, 10), 2 groups: sample 0's group 0 spreads 1e-4 around 3, its group 1 is exactly 2.5."""
    x = randn(2, 4, 10)
    x[0, :2] = 3 + 1e-4 * randn(2, 10)
    x[0, 2:] = 2.5
    return x


cases = [
    # name, x, groups, eps, affine
    ("g1_2d", randn(2, 6, 3, 5), 1, 1e-5, True),
    ("g1_nc_noaffine", randn(3, 5), 1, 1e-5, False),
    ("gc_1d", randn(3, 4, 9), 4, 1e-5, True),
    ("gc_1d_tail_noaffine", randn(2, 3, 53), 3, 1e-3, False),
    ("n1_2d", randn(1, 8, 4, 4), 4, 1e-5, True),
    ("n1_3d_noaffine", randn(1, 6, 2, 3, 3), 3, 1e-3, False),
    ("nc_only", randn(5, 6), 3, 1e-5, True),
    ("nc_only_eps01", randn(4, 12), 2, 0.1, True),
    ("l1d_tail_eps1e3", randn(2, 6, 37), 2, 1e-3, True),
    ("single_channel", randn(3, 1, 17), 1, 1e-5, True),
    ("d2_noaffine", randn(2, 4, 5, 7), 2, 1e-5, False),
    ("d2_wide", randn(2, 16, 5, 5), 4, 1e-5, True),
    ("d2_small_var_eps01", 0.3 * randn(2, 6, 3, 3), 3, 0.1, True),
    ("d3", randn(2, 4, 3, 4, 5), 2, 0.1, True),
    ("d3_tail", randn(1, 4, 3, 3, 7), 4, 1e-5, True),
    ("offset_1e4", 1e4 + randn(2, 4, 6, 7), 2, 1e-5, True),
    ("offset_1e4_gc_noaffine", 1e4 + randn(2, 3, 19), 3, 1e-5, False),
    ("near_constant", near_constant(), 2, 1e-5, True),
    ("near_constant_noaffine", near_constant(), 2, 1e-5, False),
]

write("group_norm.json", [make_case(*c) for c in cases],
      "tests/golden/make_group_norm_golden.py: torch.nn.functional.group_norm in float64, backward of <dy, y>")
