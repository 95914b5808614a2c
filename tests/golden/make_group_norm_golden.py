"""Writes group_norm.json: GroupNorm forward and backward on a spread of shapes and of hard data.

Run with /usr/bin/python3 (which has torch). Each case stores x, weight, bias (when affine), an upstream
gradient dy, and y = group_norm(x), dx, dweight, dbias for the loss <dy, y>, evaluated by the closed form
in numpy's extended precision (x87 long double, 64-bit mantissa) and rounded to float64. Every input is
rounded to float32 first, so the float32 tests in tests/modules/group_norm_parity_test.cc see the very
same inputs and measure only lucid's arithmetic error against these values.

Checks against PyTorch 1.13: its float64 group_norm must agree with the closed form to 1e-11 relative
to each tensor's magnitude, except on the cases with a large common offset (1e4 to 1e6), where its
float64 statistics and backward lose digits to the offset (5e-8 allowed; measured in the case's
attribute torch_float64_error). Each case also records, as torch_float32_error, PyTorch's own float32
error on the same inputs (max |torch − exact| / max |exact| per output): lucid's float32 error must not
exceed it (tests/modules/group_norm_parity_test.cc).
"""
import numpy as np
import torch

from golden import case, f32_exact, relative_gap, spiked, write

torch.manual_seed(0)



def closed_form(x, weight, bias, dy, groups, eps):
    """y, dx, dweight, dbias in long double: x̂ = (x − μ)/√(σ² + eps) per (n, group) (biased σ²),
    y = x̂·γ + β, dγ = Σ dy·x̂, dβ = Σ dy, dx = rstd·(d − mean(d) − x̂·mean(d·x̂)) with d = dy·γ; and
    max |rstd·d|, the size of the terms whose cancellation gives dx."""
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
    outputs = xhat * gamma + beta, dx.reshape(x.shape), (g * xhat).sum(axis=others), g.sum(axis=others)
    return outputs, float(np.abs(rstd * d).max())



def torch_outputs(x, weight, bias, dy, groups, eps, dtype):
    """PyTorch's y, dx, dweight, dbias in `dtype` (None where there is no affine map)."""
    leaf = lambda t: t.detach().clone().to(dtype).requires_grad_(True) if t is not None else None
    xr, wr, br = leaf(x), leaf(weight), leaf(bias)
    y = torch.nn.functional.group_norm(xr, groups, wr, br, eps)
    y.backward(dy.to(dtype))
    return {"y": y.detach(), "dx": xr.grad, "dweight": wr.grad if wr is not None else None,
            "dbias": br.grad if br is not None else None}


def make_case(name, x, groups, eps, affine, dy=None, offset=False):
    c = x.shape[1]
    x = f32_exact(x)
    weight = f32_exact(1 + 0.5 * torch.randn(c, dtype=torch.float64)) if affine else None
    bias = f32_exact(0.5 * torch.randn(c, dtype=torch.float64)) if affine else None
    dy = f32_exact(torch.randn(x.shape, dtype=torch.float64) if dy is None else dy)
    exact_outputs, dx_term_scale = closed_form(x, weight, bias, dy, groups, eps)
    exact = dict(zip(["y", "dx", "dweight", "dbias"], exact_outputs))
    torch64 = torch_outputs(x, weight, bias, dy, groups, eps, torch.float64)
    torch32 = torch_outputs(x, weight, bias, dy, groups, eps, torch.float32)
    errors64, errors32 = {}, {}
    for key, value in torch64.items():
        if value is None:
            continue
        errors64[key] = relative_gap(value, exact[key])
        errors32[key] = relative_gap(torch32[key].to(torch.float64), exact[key])
        if errors64[key] > (5e-8 if offset else 1e-11):
            raise SystemExit(f"{name}: PyTorch's {key} deviates from the extended-precision closed form by "
                             f"{errors64[key]:.3g}")
    outputs = {key: torch.from_numpy(exact[key].astype(np.float64)) if torch64[key] is not None else None
               for key in torch64}
    attrs = {"num_groups": groups, "eps": eps, "affine": affine, "dx_term_scale": dx_term_scale,
             "torch_float64_error": errors64,
             "torch_float32_error": errors32}
    return case(name, attrs, x=x, weight=weight, bias=bias, dy=dy, **outputs)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def near_constant():
    """(2, 4, 10), 2 groups: sample 0's group 0 spreads 1e-4 around 3, its group 1 is exactly 2.5."""
    x = randn(2, 4, 10)
    x[0, :2] = 3 + 1e-4 * randn(2, 10)
    x[0, 2:] = 2.5
    return x



def one_element_groups():
    """(3, 4): each of the 4 groups holds one element, so σ² = 0 and y = β exactly."""
    return randn(3, 4)


cases = [
    # name, x, groups, eps, affine[, dy, offset]
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
    ("offset_1e4", 1e4 + randn(2, 4, 6, 7), 2, 1e-5, True, None, True),
    ("offset_1e4_gc_noaffine", 1e4 + randn(2, 3, 19), 3, 1e-5, False, None, True),
    # Hard data for the statistics: a spike where a group starts, in its middle and at its end (each
    # group of (2, 4, 8, 8) / 2 holds 128 values: positions 0, 64 and 127 of the group), several spikes,
    # sparse post-ReLU values, offsets up to 1e6 (float32 spacing 0.0625 there), near-constant groups
    # around a large value, one element per group.
    ("spike_group_start", spiked(randn(2, 4, 8, 8), [(0, 0, 0, 0), (1, 2, 0, 0)], [1e3, -1e3]), 2, 1e-5, True),
    ("spike_group_middle", spiked(randn(2, 4, 8, 8), [(0, 1, 0, 0)], [1e4]), 2, 1e-5, True),
    ("spike_group_end", spiked(randn(2, 4, 8, 8), [(0, 1, 7, 7), (1, 3, 7, 7)], [5e3, 2e2]), 2, 1e-5, True),
    ("spikes_several", spiked(randn(2, 8, 5, 5), [(0, 0, 0, 0), (0, 1, 2, 2), (0, 3, 4, 4), (1, 4, 0, 0), (1, 7, 4, 4)],
                              [3e3, -2e3, 1e3, 4e4, 4e4]), 2, 1e-5, True),
    ("post_relu_sparse", torch.relu(randn(2, 8, 6, 6) - 1.2), 4, 1e-5, True),
    ("post_relu_sparse_3d", torch.relu(randn(2, 4, 3, 4, 5) - 1.5), 2, 1e-5, False),
    ("offset_1e5_small_noise", 1e5 + 0.05 * randn(2, 4, 6, 7), 2, 1e-5, True, None, True),
    ("offset_1e6", 1e6 + 4 * randn(2, 4, 6, 7), 2, 1e-5, True, None, True),
    ("offset_neg_1e6_spike", spiked(-1e6 + 4 * randn(2, 4, 6, 7), [(0, 0, 0, 0)], [-1e6 + 500]), 2, 1e-5, True,
     None, True),
    ("near_constant_1e4", 1e4 + 1e-3 * randn(2, 4, 5, 5), 2, 1e-5, True, None, True),
    ("one_element_groups", one_element_groups(), 4, 1e-5, True),
    ("one_element_groups_1d", randn(2, 6, 1), 6, 1e-5, True),
    ("near_constant", near_constant(), 2, 1e-5, True),
    ("near_constant_noaffine", near_constant(), 2, 1e-5, False),
]

write("group_norm.json", [make_case(*c) for c in cases],
      "tests/golden/make_group_norm_golden.py: torch.nn.functional.group_norm in float64, backward of <dy, y>")
