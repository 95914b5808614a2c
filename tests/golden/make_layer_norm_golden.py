"""Writes layer_norm.json and rms_norm.json: LayerNorm and RMSNorm (optionally followed by an
activation) forward and backward.

Run with /usr/bin/python3 (which has torch). Each case stores x, weight, bias (when affine), an upstream
gradient dy, and y = act(layer_norm(x)), dx, dweight, dbias for the loss <dy, y>, evaluated by the
closed form in numpy's extended precision (x87 long double) and rounded to float64. Every input is
rounded to float32 first, so the float32 tests in tests/modules/layer_norm_parity_test.cc see the very
same inputs and measure only lucid's arithmetic error against these values.

Checks against PyTorch 1.13: torch.nn.functional.layer_norm followed by the activation, in float64,
must agree with the closed form to 1e-11 relative to each tensor's magnitude, except on the cases with
a large common offset (1e4), where PyTorch's float64 statistics lose digits to the offset (5e-8
allowed; measured in the attribute torch_float64_error). torch_float32_error records PyTorch's own
float32 error on the same inputs.

RMSNorm (PyTorch 2.4's definition, y = x/√(mean(x²) + eps)·weight; PyTorch 1.13 has no RMSNorm): the
same closed form without the centering and the bias, checked against PyTorch 1.13's float64 autograd
of x * rsqrt(mean(x²) + eps) * weight (followed by the activation) to 1e-11.
"""
import math

import numpy as np
import torch

from golden import case, f32_exact, relative_gap, spiked, write

torch.manual_seed(0)
ld = np.longdouble



def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def normal_cdf(z):
    return 0.5 * (1 + np.vectorize(lambda v: ld(math.erf(float(v) / math.sqrt(2))))(z).astype(ld))


# act(z) and act'(z) in long double (GELU's erf in float64, far below float32's rounding).
ACTIVATIONS = {
    "none": (lambda z: z, lambda z: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(ld)),
    "silu": (lambda z: z * sigmoid(z), lambda z: sigmoid(z) * (1 + z * (1 - sigmoid(z)))),
    "gelu": (lambda z: z * normal_cdf(z),
             lambda z: normal_cdf(z) + z * np.exp(-z * z / 2) / np.sqrt(ld(2) * ld(np.pi))),
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
}
TORCH_ACTIVATIONS = {"none": lambda z: z, "relu": torch.relu, "silu": torch.nn.functional.silu,
                     "gelu": torch.nn.functional.gelu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def closed_form(x, ndim, weight, bias, dy, eps, act, centered):
    """y, dx, dweight, dbias in long double: x̂ = (x − μ)/√(σ² + eps) per row (biased σ²), z = x̂·γ + β,
    y = act(z), g = dy·act′(z), dγ = Σ g·x̂, dβ = Σ g, dx = rstd·(d − mean(d) − x̂·mean(d·x̂)) with
    d = g·γ; and max |rstd·d|, the size of the terms whose cancellation gives dx. Not centered
    (RMSNorm): μ = 0, and dx = rstd·(d − x̂·mean(d·x̂)) (no mean(d) term: the mean is not subtracted)."""
    cols = int(np.prod(x.shape[x.dim() - ndim:]))
    xs = x.numpy().astype(ld).reshape(-1, cols)
    gamma = weight.numpy().astype(ld).reshape(1, cols) if weight is not None else ld(1)
    beta = bias.numpy().astype(ld).reshape(1, cols) if bias is not None else ld(0)
    mean = xs.mean(axis=1, keepdims=True) if centered else ld(0)
    shifted = xs - mean
    rstd = 1 / np.sqrt((shifted * shifted).mean(axis=1, keepdims=True) + ld(eps))
    xhat = shifted * rstd
    z = xhat * gamma + beta
    fn, derivative = ACTIVATIONS[act]
    g = dy.numpy().astype(ld).reshape(-1, cols) * derivative(z)
    d = g * gamma
    d_mean = d.mean(axis=1, keepdims=True) if centered else ld(0)
    dx = rstd * (d - d_mean - xhat * (d * xhat).mean(axis=1, keepdims=True))
    norm_shape = x.shape[x.dim() - ndim:]
    outputs = (fn(z).reshape(x.shape), dx.reshape(x.shape), (g * xhat).sum(axis=0).reshape(norm_shape),
               g.sum(axis=0).reshape(norm_shape))
    return outputs, float(np.abs(rstd * d).max())



def torch_rms_norm(x, ndim, weight, eps):
    """PyTorch 2.4's RMSNorm written with PyTorch 1.13's ops."""
    y = x * torch.rsqrt(x.pow(2).mean(dim=tuple(range(x.dim() - ndim, x.dim())), keepdim=True) + eps)
    return y * weight if weight is not None else y


def torch_outputs(x, ndim, weight, bias, dy, eps, act, centered, dtype):
    """PyTorch's y, dx, dweight, dbias in `dtype` (None where there is no affine map)."""
    leaf = lambda t: t.detach().clone().to(dtype).requires_grad_(True) if t is not None else None
    xr, wr, br = leaf(x), leaf(weight), leaf(bias)
    normalized = (torch.nn.functional.layer_norm(xr, x.shape[x.dim() - ndim:], wr, br, eps) if centered
                  else torch_rms_norm(xr, ndim, wr, eps))
    y = TORCH_ACTIVATIONS[act](normalized)
    y.backward(dy.to(dtype))
    return {"y": y.detach(), "dx": xr.grad, "dweight": wr.grad if wr is not None else None,
            "dbias": br.grad if br is not None else None}


def make_case(name, x, ndim, eps, affine, act="none", offset=False, centered=True):
    norm_shape = x.shape[x.dim() - ndim:]
    x = f32_exact(x)
    weight = f32_exact(1 + 0.5 * torch.randn(norm_shape, dtype=torch.float64)) if affine else None
    bias = f32_exact(0.5 * torch.randn(norm_shape, dtype=torch.float64)) if affine and centered else None
    dy = f32_exact(torch.randn(x.shape, dtype=torch.float64))
    exact_outputs, dx_term_scale = closed_form(x, ndim, weight, bias, dy, eps, act, centered)
    exact = dict(zip(["y", "dx", "dweight", "dbias"], exact_outputs))
    torch64 = torch_outputs(x, ndim, weight, bias, dy, eps, act, centered, torch.float64)
    torch32 = torch_outputs(x, ndim, weight, bias, dy, eps, act, centered, torch.float32)
    errors64, errors32 = {}, {}
    for key, value in torch64.items():
        if value is None:
            continue
        errors64[key] = relative_gap(value, exact[key])
        errors32[key] = relative_gap(torch32[key].to(torch.float64), exact[key])
        if errors64[key] > (5e-8 if offset else 1e-11):
            raise SystemExit(f"{name}: PyTorch's {key} deviates from the extended-precision closed form by "
                             f"{errors64[key]:.3g}")
    outputs = {key: torch.from_numpy(np.asarray(exact[key]).astype(np.float64)) if torch64[key] is not None else None
               for key in torch64}
    attrs = {"normalized_shape": list(norm_shape), "eps": eps, "affine": affine, "activation": act,
             "dx_term_scale": dx_term_scale, "torch_float64_error": errors64, "torch_float32_error": errors32}
    return case(name, attrs, x=x, weight=weight, bias=bias, dy=dy, **outputs)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64)



cases = [
    # name, x, number of normalised (trailing) dims, eps, affine[, activation, offset]
    ("rows_768", randn(4, 768), 1, 1e-5, True),
    ("odd_37", randn(3, 5, 37), 1, 1e-5, True),
    ("tail_53_noaffine", randn(6, 53), 1, 1e-5, False),
    ("two_dims_4x5", randn(2, 3, 4, 5), 2, 1e-3, True),
    ("three_dims_noaffine", randn(2, 3, 2, 7), 3, 1e-5, False),
    ("one_element_rows", randn(5, 1), 1, 1e-5, True),
    ("single_row_eps01", randn(1, 19), 1, 0.1, True),
    ("70_rows_3_blocks", randn(70, 9), 1, 1e-5, True),
    ("offset_1e4", 1e4 + randn(5, 67), 1, 1e-5, True, "none", True),
    ("offset_1e4_noaffine", 1e4 + randn(3, 2, 33), 2, 1e-5, False, "none", True),
    ("near_constant_1e4", 1e4 + 1e-3 * randn(4, 40), 1, 1e-5, True, "none", True),
    ("spikes", spiked(randn(3, 64), [(0, 0), (1, 32), (2, 63)], [1e3, 1e4, -5e3]), 1, 1e-5, True),
    ("post_relu_sparse", torch.relu(randn(4, 50) - 1.2), 1, 1e-5, True),
    ("silu", randn(5, 45), 1, 1e-5, True, "silu"),
    ("gelu_3d", randn(3, 4, 31), 1, 1e-5, True, "gelu"),
    ("relu_noaffine", randn(6, 21), 1, 1e-5, False, "relu"),
    ("sigmoid_two_dims", randn(3, 2, 17), 2, 1e-5, True, "sigmoid"),
    ("tanh_offset_1e4", 1e4 + randn(40, 29), 1, 1e-5, True, "tanh", True),
]

write("layer_norm.json", [make_case(*c) for c in cases],
      "tests/golden/make_layer_norm_golden.py: closed form in long double, checked against "
      "torch.nn.functional.layer_norm (+ activation) in float64; backward of <dy, y>")

rms_cases = [
    # name, x, number of normalised (trailing) dims, eps, affine, activation
    ("rows_768", randn(4, 768), 1, 1e-6, True),
    ("odd_37", randn(3, 5, 37), 1, 1e-5, True),
    ("tail_53_noaffine", randn(6, 53), 1, 1e-6, False),
    ("two_dims_4x5", randn(2, 3, 4, 5), 2, 1e-3, True),
    ("one_element_rows_eps01", randn(5, 1), 1, 0.1, True),
    ("70_rows_3_blocks", randn(70, 9), 1, 1e-6, True),
    ("offset_1e4", 1e4 + randn(5, 67), 1, 1e-6, True),
    ("small_values_eps01", 1e-2 * randn(4, 40), 1, 0.1, True),
    ("spikes", spiked(randn(3, 64), [(0, 0), (1, 32), (2, 63)], [1e3, 1e4, -5e3]), 1, 1e-6, True),
    ("silu", randn(5, 45), 1, 1e-6, True, "silu"),
    ("gelu_noaffine", randn(3, 4, 31), 1, 1e-6, False, "gelu"),
    ("relu", randn(6, 21), 1, 1e-6, True, "relu"),
    ("sigmoid_two_dims", randn(3, 2, 17), 2, 1e-6, True, "sigmoid"),
    ("tanh", randn(40, 29), 1, 1e-6, True, "tanh"),
]

write("rms_norm.json", [make_case(*c[:5], c[5] if len(c) > 5 else "none", False, False) for c in rms_cases],
      "tests/golden/make_layer_norm_golden.py: RMSNorm closed form in long double, checked against "
      "x * rsqrt(mean(x^2) + eps) * weight (+ activation) in PyTorch float64; backward of <dy, y>")
