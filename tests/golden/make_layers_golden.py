"""Writes layers.json: PyTorch 1.13 layers and losses in float64, forward and backward.

Run with /usr/bin/python3 (which has torch). Every case has attrs["op"] naming the function:
conv2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d, linear, activation, cross_entropy, nll_loss,
mse_loss. It stores the inputs (x, weight, bias, target), an upstream gradient gy of the output's
shape, PyTorch's output y and the gradients of <gy, y>: dx, dweight, dbias. Every stored input is
rounded to float32 first, so the float32 run of tests/modules/layers_parity_test.cc sees the very same
inputs and measures only lucid's arithmetic error against these float64 values.

Max-pool inputs are random normals: ties inside a window (where PyTorch and lucid could route the
gradient to different elements) have probability zero, and the script checks that none occurs.
"""
import torch
import torch.nn.functional as F

from golden import case, write

torch.manual_seed(0)


def f32_exact(t):
    """t rounded to the nearest float32, held in float64."""
    return t.to(torch.float32).to(torch.float64)


def randn(*shape):
    return f32_exact(torch.randn(*shape, dtype=torch.float64))


def run(fn, inputs, gy_scale=1.0):
    """y = fn(*inputs) and the gradients of <gy, y> for every input that is not None."""
    leaves = [None if t is None else t.clone().requires_grad_(True) for t in inputs]
    y = fn(*leaves)
    gy = f32_exact(gy_scale * torch.randn(y.shape, dtype=torch.float64))
    y.backward(gy)
    return y.detach(), gy, [None if t is None else t.grad for t in leaves]


def conv_case(name, n, c, o, size, kernel, stride, padding, dilation, bias, groups=1):
    x, w = randn(n, c, *size), randn(o, c // groups, *kernel)
    b = randn(o) if bias else None
    y, gy, (dx, dw, db) = run(lambda x_, w_, b_: F.conv2d(x_, w_, b_, stride, padding, dilation, groups), [x, w, b])
    attrs = {"op": "conv2d", "stride": list(stride), "padding": list(padding), "dilation": list(dilation),
             "groups": groups}
    return case(name, attrs, x=x, weight=w, bias=b, gy=gy, y=y, dx=dx, dweight=dw, dbias=db)


def no_window_ties(x, kernel, stride, padding):
    """True when no max-pool window holds its maximum twice."""
    padded = F.pad(x, (padding[1], padding[1], padding[0], padding[0]), value=-float("inf"))
    windows = padded.unfold(2, kernel[0], stride[0]).unfold(3, kernel[1], stride[1]).flatten(-2)
    top2 = windows.topk(2, dim=-1).values
    return bool((top2[..., 0] > top2[..., 1]).all())


def pool_case(name, op, shape, kernel, stride, padding):
    x = randn(*shape)
    if op == "max_pool2d":
        assert no_window_ties(x, kernel, stride, padding), name
        fn = lambda x_: F.max_pool2d(x_, kernel, stride, padding)
    else:
        fn = lambda x_: F.avg_pool2d(x_, kernel, stride, padding)  # count_include_pad=True (the default)
    y, gy, (dx,) = run(fn, [x])
    attrs = {"op": op, "kernel_size": list(kernel), "stride": list(stride), "padding": list(padding)}
    return case(name, attrs, x=x, gy=gy, y=y, dx=dx)


def adaptive_case(name, shape, output_size):
    x = randn(*shape)
    y, gy, (dx,) = run(lambda x_: F.adaptive_avg_pool2d(x_, output_size), [x])
    return case(name, {"op": "adaptive_avg_pool2d", "output_size": list(output_size)}, x=x, gy=gy, y=y, dx=dx)


def linear_case(name, shape, out_features, bias):
    x, w = randn(*shape), randn(out_features, shape[-1])
    b = randn(out_features) if bias else None
    y, gy, (dx, dw, db) = run(F.linear, [x, w, b])
    return case(name, {"op": "linear"}, x=x, weight=w, bias=b, gy=gy, y=y, dx=dx, dweight=dw, dbias=db)


ACTIVATIONS = {
    "relu": torch.relu,
    "silu": F.silu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def activation_case(kind):
    x = f32_exact(3 * torch.randn(4, 9, dtype=torch.float64))
    x[x.abs() < 0.1] += 0.5  # away from relu's kink
    y, gy, (dx,) = run(ACTIVATIONS[kind], [x])
    return case("activation_" + kind, {"op": "activation", "kind": kind}, x=x, gy=gy, y=y, dx=dx)


def cross_entropy_case(name, n, classes, reduction, label_smoothing, scale=1.0):
    x = f32_exact(scale * torch.randn(n, classes, dtype=torch.float64))
    target = torch.randint(0, classes, (n,))
    y, gy, (dx,) = run(lambda x_: F.cross_entropy(x_, target, reduction=reduction, label_smoothing=label_smoothing),
                       [x])
    attrs = {"op": "cross_entropy", "reduction": reduction, "label_smoothing": label_smoothing, "target": "class"}
    return case(name, attrs, x=x, target=target.to(torch.float64), gy=gy, y=y, dx=dx)


def cross_entropy_probabilities_case(name, n, classes, reduction, label_smoothing):
    """Class-probability targets of the input's shape (PyTorch >= 1.10); the target gets a gradient too."""
    x = randn(n, classes)
    target = f32_exact(torch.softmax(randn(n, classes), dim=1))
    y, gy, (dx, dtarget) = run(
        lambda x_, t_: F.cross_entropy(x_, t_, reduction=reduction, label_smoothing=label_smoothing), [x, target])
    attrs = {"op": "cross_entropy", "reduction": reduction, "label_smoothing": label_smoothing,
             "target": "probabilities"}
    return case(name, attrs, x=x, target=target, gy=gy, y=y, dx=dx, dtarget=dtarget)


def nll_case(name, n, classes, reduction):
    x = f32_exact(torch.log_softmax(torch.randn(n, classes, dtype=torch.float64), dim=1))
    target = torch.randint(0, classes, (n,))
    y, gy, (dx,) = run(lambda x_: F.nll_loss(x_, target, reduction=reduction), [x])
    return case(name, {"op": "nll_loss", "reduction": reduction, "target": "class"}, x=x,
                target=target.to(torch.float64), gy=gy, y=y, dx=dx)


def mse_case(name, shape, reduction):
    x, target = randn(*shape), randn(*shape)
    y, gy, (dx, dtarget) = run(lambda x_, t_: F.mse_loss(x_, t_, reduction=reduction), [x, target])
    return case(name, {"op": "mse_loss", "reduction": reduction}, x=x, target=target, gy=gy, y=y, dx=dx,
                dtarget=dtarget)


def conv_transpose_case(name, n, c, o, size, kernel, stride, padding, output_padding, dilation, bias, groups=1):
    x, w = randn(n, c, *size), randn(c, o // groups, *kernel)
    b = randn(o) if bias else None
    y, gy, (dx, dw, db) = run(lambda x_, w_, b_: F.conv_transpose2d(x_, w_, b_, stride, padding, output_padding,
                                                                    groups, dilation), [x, w, b])
    attrs = {"op": "conv_transpose2d", "stride": list(stride), "padding": list(padding),
             "output_padding": list(output_padding), "dilation": list(dilation), "groups": groups}
    return case(name, attrs, x=x, weight=w, bias=b, gy=gy, y=y, dx=dx, dweight=dw, dbias=db)


def interpolate_case(name, shape, size=None, scale_factor=None):
    """Nearest-neighbour resizing; attrs hold size (a list) or scale_factor (one number)."""
    x = randn(*shape)
    y, gy, (dx,) = run(lambda x_: F.interpolate(x_, size=size, scale_factor=scale_factor, mode="nearest"), [x])
    attrs = {"op": "interpolate", **({"size": list(size)} if size else {"scale_factor": scale_factor})}
    return case(name, attrs, x=x, gy=gy, y=y, dx=dx)


def embedding_case(name, num_embeddings, dim, indices):
    """The weight is the differentiable input; indices (int64, stored as exact float64) repeat some rows."""
    w = randn(num_embeddings, dim)
    idx = torch.tensor(indices, dtype=torch.int64)
    y, gy, (dw,) = run(lambda w_: F.embedding(idx, w_), [w])
    return case(name, {"op": "embedding"}, weight=w, indices=idx.to(torch.float64), gy=gy, y=y, dweight=dw)


cases = [
    # name, N, C, O, (H, W), kernel, stride, padding, dilation, bias
    conv_case("conv_basic", 1, 1, 2, (5, 5), (3, 3), (1, 1), (0, 0), (1, 1), True),
    conv_case("conv_pad1_batch2", 2, 3, 4, (6, 6), (3, 3), (1, 1), (1, 1), (1, 1), True),
    conv_case("conv_stride2_pad2_nobias", 2, 2, 3, (7, 7), (3, 3), (2, 2), (2, 2), (1, 1), False),
    conv_case("conv_dilation2_pad1", 1, 2, 3, (8, 7), (3, 3), (1, 1), (1, 1), (2, 2), True),
    conv_case("conv_nonsquare_mixed", 3, 3, 2, (6, 9), (2, 3), (2, 1), (1, 0), (1, 2), True),
    conv_case("conv_nonsquare_tall_nobias", 2, 4, 5, (5, 6), (3, 1), (1, 2), (0, 1), (1, 1), False),
    conv_case("conv_1x1", 2, 3, 4, (4, 4), (1, 1), (1, 1), (0, 0), (1, 1), True),
    conv_case("conv_stride2_pad1_dilation2", 2, 2, 3, (9, 9), (3, 3), (2, 2), (1, 1), (2, 2), True),
    conv_case("conv_kernel_covers_input", 2, 2, 2, (3, 4), (3, 4), (1, 1), (0, 0), (1, 1), True),
    conv_case("conv_stride3_uneven", 1, 3, 2, (8, 7), (2, 2), (3, 3), (0, 0), (1, 1), True),
    # name, op, shape, kernel, stride, padding
    pool_case("maxpool_k2", "max_pool2d", (2, 3, 6, 6), (2, 2), (2, 2), (0, 0)),
    pool_case("maxpool_k2_odd_input", "max_pool2d", (1, 2, 7, 5), (2, 2), (2, 2), (0, 0)),
    pool_case("maxpool_k3_s1_p1", "max_pool2d", (2, 2, 5, 5), (3, 3), (1, 1), (1, 1)),
    pool_case("maxpool_k3_s2_p1", "max_pool2d", (1, 3, 7, 7), (3, 3), (2, 2), (1, 1)),
    pool_case("maxpool_k2_s1_overlap", "max_pool2d", (2, 1, 4, 5), (2, 2), (1, 1), (0, 0)),
    pool_case("maxpool_nonsquare", "max_pool2d", (1, 2, 6, 7), (2, 3), (1, 2), (1, 1)),
    pool_case("avgpool_k2", "avg_pool2d", (2, 3, 6, 6), (2, 2), (2, 2), (0, 0)),
    pool_case("avgpool_k3_s1_p1", "avg_pool2d", (2, 2, 5, 5), (3, 3), (1, 1), (1, 1)),
    pool_case("avgpool_k3_s2_p1", "avg_pool2d", (1, 3, 7, 7), (3, 3), (2, 2), (1, 1)),
    pool_case("avgpool_k2_s1_p1", "avg_pool2d", (2, 1, 4, 5), (2, 2), (1, 1), (1, 1)),
    pool_case("avgpool_k3_s2_odd", "avg_pool2d", (1, 2, 8, 9), (3, 3), (2, 2), (0, 0)),
    pool_case("avgpool_nonsquare", "avg_pool2d", (1, 2, 6, 7), (2, 3), (1, 2), (1, 1)),
    # name, shape, output size
    adaptive_case("adaptive_divides", (2, 3, 6, 6), (3, 3)),
    adaptive_case("adaptive_global", (2, 3, 5, 7), (1, 1)),
    adaptive_case("adaptive_not_dividing", (1, 2, 7, 5), (3, 2)),
    adaptive_case("adaptive_not_dividing_overlap", (2, 2, 7, 5), (4, 3)),
    adaptive_case("adaptive_larger_than_input", (1, 2, 3, 3), (4, 5)),
    # name, x shape, out_features, bias
    linear_case("linear_basic", (4, 5), 3, True),
    linear_case("linear_3d_nobias", (2, 3, 4), 6, False),
    linear_case("linear_single_row", (1, 7), 2, True),
    *[activation_case(kind) for kind in ACTIVATIONS],
    # name, N, classes, reduction, label smoothing
    cross_entropy_case("ce_mean", 6, 4, "mean", 0.0),
    cross_entropy_case("ce_sum", 6, 4, "sum", 0.0),
    cross_entropy_case("ce_mean_ls01", 6, 4, "mean", 0.1),
    cross_entropy_case("ce_sum_ls01", 5, 7, "sum", 0.1),
    cross_entropy_case("ce_none_ls01", 5, 3, "none", 0.1),
    cross_entropy_case("ce_mean_large_logits", 4, 5, "mean", 0.0, scale=300.0),
    cross_entropy_case("ce_mean_ls01_large_logits", 4, 5, "mean", 0.1, scale=300.0),
    cross_entropy_probabilities_case("ce_probs_mean", 6, 4, "mean", 0.0),
    cross_entropy_probabilities_case("ce_probs_sum_ls01", 5, 3, "sum", 0.1),
    cross_entropy_probabilities_case("ce_probs_none", 4, 5, "none", 0.0),
    nll_case("nll_mean", 6, 4, "mean"),
    nll_case("nll_sum", 5, 6, "sum"),
    nll_case("nll_none", 4, 3, "none"),
    mse_case("mse_mean", (3, 4), "mean"),
    mse_case("mse_sum", (3, 4), "sum"),
    mse_case("mse_mean_4d", (2, 3, 2, 2), "mean"),
    mse_case("mse_none", (2, 5), "none"),
    # Added later, last, so that the cases above keep their random draws. "Same"-width convolutions
    # (stride 1, output as wide as the input: im2col's one-copy path), one with kernel columns that
    # read padding only (kernel wider than the image).
    conv_case("conv_same_width_dilation2", 2, 2, 3, (7, 6), (3, 3), (1, 1), (2, 2), (2, 2), True),
    conv_case("conv_same_width_kernel_wider_than_image", 1, 2, 2, (3, 2), (5, 5), (1, 1), (2, 2), (1, 1), True),
    # Grouped and depthwise convolutions (groups = in_channels), one with a channel multiplier.
    conv_case("conv_groups2", 2, 4, 6, (6, 5), (3, 3), (1, 1), (1, 1), (1, 1), True, groups=2),
    conv_case("conv_groups3_stride2_nobias", 3, 6, 3, (7, 7), (3, 2), (2, 1), (1, 0), (1, 1), False, groups=3),
    conv_case("conv_depthwise", 2, 4, 4, (6, 6), (3, 3), (1, 1), (1, 1), (1, 1), True, groups=4),
    conv_case("conv_depthwise_multiplier2_dilation2", 5, 3, 6, (8, 7), (3, 3), (1, 1), (2, 2), (2, 2), True, groups=3),
    # Added later still (the diffusion example's building blocks). Transposed convolutions: name, N, C,
    # O, (H, W), kernel, stride, padding, output_padding, dilation, bias.
    conv_transpose_case("convT_k4_s2_p1", 2, 3, 4, (5, 5), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1), True),
    conv_transpose_case("convT_k3_s1_nobias", 1, 2, 3, (4, 6), (3, 3), (1, 1), (0, 0), (0, 0), (1, 1), False),
    conv_transpose_case("convT_k3_s2_p1_outpad1", 2, 2, 3, (4, 3), (3, 3), (2, 2), (1, 1), (1, 1), (1, 1), True),
    conv_transpose_case("convT_nonsquare_mixed", 3, 3, 2, (3, 5), (2, 3), (3, 1), (0, 1), (2, 0), (1, 2), True),
    conv_transpose_case("convT_dilation2_outpad1_s1", 1, 2, 2, (5, 4), (3, 3), (1, 1), (1, 1), (1, 1), (2, 2), True),
    conv_transpose_case("convT_groups2", 2, 4, 6, (4, 4), (3, 3), (2, 2), (1, 1), (0, 0), (1, 1), True, groups=2),
    conv_transpose_case("convT_depthwise_nobias", 2, 3, 3, (3, 3), (2, 2), (2, 2), (0, 0), (0, 0), (1, 1), False,
                        groups=3),
    # Nearest-neighbour interpolation: integer and fractional factors, up and down, explicit sizes, 3-D/5-D.
    interpolate_case("nearest_x2", (2, 3, 4, 5), scale_factor=2.0),
    interpolate_case("nearest_x1_5", (1, 2, 5, 3), scale_factor=1.5),
    interpolate_case("nearest_x0_5", (1, 2, 7, 6), scale_factor=0.5),
    interpolate_case("nearest_x3_1d", (2, 2, 4), scale_factor=3.0),
    interpolate_case("nearest_size_up", (1, 3, 3, 4), size=(7, 5)),
    interpolate_case("nearest_size_down", (2, 1, 9, 8), size=(4, 3)),
    interpolate_case("nearest_size_3d", (1, 2, 3, 2, 4), size=(5, 4, 4)),
    # Embedding lookups: repeated rows (their gradients add up), a 2-D batch of indices.
    embedding_case("embedding_1d", 10, 4, [3, 1, 3, 9, 0]),
    embedding_case("embedding_2d", 6, 3, [[0, 5, 5], [2, 2, 2]]),
]

write("layers.json", cases,
      "tests/golden/make_layers_golden.py: torch.nn.functional layers and losses in float64, backward of <gy, y>")
