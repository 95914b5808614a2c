"""Golden values for tests/modules/init_test.cc, computed with PyTorch's torch.nn.init.

init.json:
  gain_*     torch.nn.init.calculate_gain(nonlinearity, param): attrs nonlinearity, param (absent: None), gain.
  fans_*     torch.nn.init._calculate_fan_in_and_fan_out on a tensor of attrs shape: fan_in, fan_out.
  kaiming_*  the standard deviation kaiming_uniform_/kaiming_normal_ use for (shape, a, mode, nonlinearity):
             std = calculate_gain(nonlinearity, a) / sqrt(_calculate_correct_fan(t, mode)), and the uniform
             bound sqrt(3)·std; PyTorch's own kaiming_uniform_ samples are checked to lie within the bound.
  xavier_*   std = gain·sqrt(2 / (fan_in + fan_out)) of xavier_uniform_/xavier_normal_ and the bound
             sqrt(3)·std, with the same check of xavier_uniform_'s samples.

Run with /usr/bin/python3 (torch 1.13): /usr/bin/python3 tests/golden/make_init_golden.py
"""
import math

import torch
from torch.nn import init

import golden

GAINS = [("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose1d", None),
         ("conv_transpose2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
         ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5.0)),
         ("leaky_relu", -0.5), ("selu", None)]

FAN_SHAPES = [(3, 5), (7, 2), (16, 8, 3, 3), (4, 6, 5), (2, 3, 2, 2, 2), (0, 4), (5, 0, 3)]

KAIMING = [((256, 512), 0.0, "fan_in", "leaky_relu"),
           ((256, 512), math.sqrt(5.0), "fan_in", "leaky_relu"),
           ((512, 256), 0.0, "fan_out", "relu"),
           ((64, 32, 3, 3), 0.1, "fan_in", "leaky_relu"),
           ((64, 32, 3, 3), 0.0, "fan_out", "tanh"),
           ((128, 96, 5), 0.0, "fan_in", "selu")]

XAVIER = [((256, 512), 1.0), ((300, 200), init.calculate_gain("tanh")), ((64, 32, 3, 3), 2.0)]


def gain_case(index, nonlinearity, param):
    attrs = dict(nonlinearity=nonlinearity, gain=init.calculate_gain(nonlinearity, param))
    if param is not None:
        attrs["param"] = param
    return golden.case(f"gain_{index}_{nonlinearity}", attrs)


def fans_case(shape):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(torch.empty(shape))
    return golden.case("fans_" + "x".join(map(str, shape)), dict(shape=list(shape), fan_in=fan_in, fan_out=fan_out))


def within_bound(samples, bound):
    assert samples.abs().max().item() <= bound, "PyTorch's samples exceed the bound"


def kaiming_case(index, shape, a, mode, nonlinearity):
    t = torch.empty(shape, dtype=torch.float64)
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(init._calculate_correct_fan(t, mode))
    bound = math.sqrt(3.0) * std
    within_bound(init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nonlinearity), bound)
    return golden.case(f"kaiming_{index}", dict(shape=list(shape), a=a, mode=mode, nonlinearity=nonlinearity,
                                                std=std, bound=bound))


def xavier_case(index, shape, gain):
    t = torch.empty(shape, dtype=torch.float64)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    within_bound(init.xavier_uniform_(t, gain=gain), bound)
    return golden.case(f"xavier_{index}", dict(shape=list(shape), gain=gain, std=std, bound=bound))


if __name__ == "__main__":
    torch.manual_seed(0)
    cases = ([gain_case(i, *g) for i, g in enumerate(GAINS)] + [fans_case(s) for s in FAN_SHAPES] +
             [kaiming_case(i, *k) for i, k in enumerate(KAIMING)] + [xavier_case(i, *x) for i, x in enumerate(XAVIER)])
    golden.write("init.json", cases, "tests/golden/make_init_golden.py")
