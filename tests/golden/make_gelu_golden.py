"""Writes gelu.json: PyTorch 1.13's GELU, exact (approximate='none', its default) and tanh, in float64.

Run with /usr/bin/python3 (which has torch). Each case stores x (on a grid of [-8, 8] plus random
normals, every value rounded to float32 so tests/modules/gelu_parity_test.cc runs the same inputs in
float32), an upstream gradient gy, PyTorch's y = gelu(x, approximate) and dx, the gradient of <gy, y>.
"""
import torch
import torch.nn.functional as F

from golden import case, write

torch.manual_seed(0)


def f32_exact(t):
    return t.to(torch.float32).to(torch.float64)


def gelu_case(approximate):
    grid = torch.linspace(-8, 8, 161, dtype=torch.float64)
    x = f32_exact(torch.cat([grid, 2 * torch.randn(39, dtype=torch.float64)]).reshape(4, 50))
    leaf = x.clone().requires_grad_(True)
    y = F.gelu(leaf, approximate=approximate)
    gy = f32_exact(torch.randn(y.shape, dtype=torch.float64))
    y.backward(gy)
    return case("gelu_" + approximate, {"approximate": approximate}, x=x, gy=gy, y=y.detach(), dx=leaf.grad)


write("gelu.json", [gelu_case("none"), gelu_case("tanh")], "tests/golden/make_gelu_golden.py")
