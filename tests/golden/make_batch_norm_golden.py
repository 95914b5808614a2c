"""Writes batch_norm.json: BatchNorm1d/2d and InstanceNorm1d/2d/3d (optionally followed by an
activation) through three training steps and one evaluation step, from PyTorch 1.13 in float64.

Run with /usr/bin/python3 (which has torch). Each case stores the module's configuration, its weight
and bias (when affine), and per step k (1, 2, 3: training; "eval": eval mode) the input xk, an upstream
gradient dyk and PyTorch's yk = act(module(xk)), dxk, dweightk, dbiask for the loss <dyk, yk> (gradients
zeroed before each step); after the three training steps, the buffers running_mean, running_var and
num_batches_tracked (when tracked). Inputs are rounded to float32 first, so the float32 tests in
tests/modules/batch_norm_parity_test.cc see the very same inputs. Cases with a large common offset
(1e4) check the statistics' exactness; PyTorch's float64 is exact there far below float32's rounding.
"""
import torch

from golden import case, f32_exact, write

torch.manual_seed(0)

ACTIVATIONS = {"none": lambda z: z, "relu": torch.relu, "silu": torch.nn.functional.silu,
               "gelu": torch.nn.functional.gelu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
MODULES = {"BatchNorm1d": torch.nn.BatchNorm1d, "BatchNorm2d": torch.nn.BatchNorm2d,
           "InstanceNorm1d": torch.nn.InstanceNorm1d, "InstanceNorm2d": torch.nn.InstanceNorm2d,
           "InstanceNorm3d": torch.nn.InstanceNorm3d}


def make_case(name, module, shape, affine, track, momentum=0.1, act="none", offset=0.0, eps=1e-5):
    channels = shape[1] if len(shape) > 1 and not (module.startswith("Instance") and len(shape) ==
                                                   int(module[-2]) + 1) else shape[0]
    m = MODULES[module](channels, eps=eps, momentum=momentum, affine=affine, track_running_stats=track)
    m = m.double()
    tensors = {}
    if affine:
        with torch.no_grad():
            m.weight.copy_(f32_exact(1 + 0.5 * torch.randn(channels, dtype=torch.float64)))
            m.bias.copy_(f32_exact(0.5 * torch.randn(channels, dtype=torch.float64)))
        tensors["weight"] = m.weight.detach().clone()
        tensors["bias"] = m.bias.detach().clone()
    for step in ["1", "2", "3", "eval"]:
        if step == "eval":
            m.eval()
        x = f32_exact(offset + (1 + int(step != "eval")) * torch.randn(shape, dtype=torch.float64) + 0.3 * len(tensors))
        x.requires_grad_(True)
        dy = f32_exact(torch.randn(shape, dtype=torch.float64))
        m.zero_grad()
        y = ACTIVATIONS[act](m(x))
        y.backward(dy)
        tensors.update({f"x{step}": x.detach(), f"dy{step}": dy, f"y{step}": y.detach(), f"dx{step}": x.grad})
        if affine:
            tensors[f"dweight{step}"] = m.weight.grad.clone()
            tensors[f"dbias{step}"] = m.bias.grad.clone()
        if step == "3" and track:
            tensors["running_mean"] = m.running_mean.clone()
            tensors["running_var"] = m.running_var.clone()
            tensors["num_batches_tracked"] = m.num_batches_tracked.to(torch.float64).reshape(1)
    attrs = {"module": module, "num_features": channels, "eps": eps, "momentum": momentum, "affine": affine,
             "track_running_stats": track, "activation": act}
    return case(name, attrs, **tensors)


cases = [
    # name, module, shape, affine, track_running_stats[, momentum, activation, offset, eps]
    ("bn1d_rows", "BatchNorm1d", (5, 7), True, True),
    ("bn1d_tail_37_cumulative", "BatchNorm1d", (4, 3, 37), False, True, None),
    ("bn1d_tanh", "BatchNorm1d", (3, 5, 17), True, True, 0.3, "tanh"),
    ("bn2d_odd", "BatchNorm2d", (3, 4, 5, 7), True, True),
    ("bn2d_cumulative_noaffine", "BatchNorm2d", (2, 3, 9, 11), False, True, None),
    ("bn2d_one_sample", "BatchNorm2d", (1, 3, 5, 5), True, True),
    ("bn2d_untracked", "BatchNorm2d", (2, 3, 5, 6), True, False),
    ("bn2d_relu", "BatchNorm2d", (3, 6, 4, 5), True, True, 0.1, "relu"),
    ("bn2d_silu_eps_1em3", "BatchNorm2d", (2, 5, 3, 7), True, True, 0.1, "silu", 0.0, 1e-3),
    ("bn2d_offset_1e4", "BatchNorm2d", (4, 3, 6, 5), True, True, 0.1, "none", 1e4),
    ("bn2d_offset_1e4_gelu", "BatchNorm2d", (2, 4, 7, 9), True, True, 0.1, "gelu", 1e4),
    ("in1d_default", "InstanceNorm1d", (3, 4, 37), False, False),
    ("in1d_unbatched_affine", "InstanceNorm1d", (4, 19), True, False),
    ("in2d_tracked_affine", "InstanceNorm2d", (2, 3, 9, 11), True, True),
    ("in2d_sigmoid", "InstanceNorm2d", (3, 2, 5, 7), True, False, 0.1, "sigmoid"),
    ("in2d_offset_1e4_tracked", "InstanceNorm2d", (2, 3, 7, 9), False, True, 0.2, "none", 1e4),
    ("in3d_affine", "InstanceNorm3d", (2, 3, 3, 4, 5), True, False),
]

write("batch_norm.json", [make_case(*c) for c in cases],
      "tests/golden/make_batch_norm_golden.py: torch.nn.BatchNorm1d/2d, InstanceNorm1d/2d/3d (+ activation) "
      "in float64, three training steps and an eval step; backward of <dy, y>", compact=True)
