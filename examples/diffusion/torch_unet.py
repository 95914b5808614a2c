"""The diffusion example's UNet and DDIM step in PyTorch, for comparison only (python3-torch 1.13).

Mirrors examples/diffusion/unet.h layer for layer with the same attribute names, so the parameter
names ("down0.conv1.weight", "label.weight", ...) are those of a lucid checkpoint; the DDIM step and
the cosine schedule mirror examples/diffusion/schedule.h.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

CLASSES = 10
NULL_CLASS = CLASSES


class ResBlock(nn.Module):
    """GroupNorm+SiLU -> Conv3x3, + Linear(SiLU(emb)) per channel, GroupNorm+SiLU -> Conv3x3, + skip."""

    def __init__(self, cin, cout, emb, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.embed = nn.Linear(emb, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.embed(F.silu(emb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + (self.skip(x) if self.skip is not None else x)


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half).float()
    angles = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class UNet(nn.Module):
    def __init__(self, c=32, groups=8):
        super().__init__()
        emb = 4 * c
        self.c = c
        self.time1 = nn.Linear(c, emb)
        self.time2 = nn.Linear(emb, emb)
        self.label = nn.Embedding(CLASSES + 1, emb)
        self.stem = nn.Conv2d(1, c, 3, padding=1)
        self.down0 = ResBlock(c, c, emb, groups)
        self.pool0 = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.down1 = ResBlock(2 * c, 2 * c, emb, groups)
        self.pool1 = nn.Conv2d(2 * c, 2 * c, 3, stride=2, padding=1)
        self.mid = ResBlock(2 * c, 2 * c, emb, groups)
        self.up1 = ResBlock(4 * c, 2 * c, emb, groups)
        self.up0 = ResBlock(3 * c, c, emb, groups)
        self.head_norm = nn.GroupNorm(groups, c)
        self.head_conv = nn.Conv2d(c, 1, 3, padding=1)

    def forward(self, x, t, labels):
        emb = self.time2(F.silu(self.time1(timestep_embedding(t, self.c)))) + self.label(labels)
        s0 = self.down0(self.stem(x), emb)
        s1 = self.down1(self.pool0(s0), emb)
        h = self.mid(self.pool1(s1), emb)
        h = self.up1(torch.cat([F.interpolate(h, scale_factor=2, mode="nearest"), s1], 1), emb)
        h = self.up0(torch.cat([F.interpolate(h, scale_factor=2, mode="nearest"), s0], 1), emb)
        return self.head_conv(F.silu(self.head_norm(h)))


def cosine_alpha_bar(steps=1000):
    """alpha_bar_t = prod_{i<=t} (1 - beta_i), beta_t = min(1 - f((t+1)/T)/f(t/T), 0.999) (float64)."""
    f = lambda u: math.cos((u + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    out, prod = [], 1.0
    for t in range(steps):
        prod *= 1.0 - min(1.0 - f((t + 1) / steps) / f(t / steps), 0.999)
        out.append(prod)
    return out


def ddim_step(x, eps, ab, ab_prev):
    """One DDIM step (eta = 0) with x0 clamped to [-1, 1] and eps recomputed from it."""
    x0 = ((x - math.sqrt(1 - ab) * eps) / math.sqrt(ab)).clamp(-1, 1)
    e = (x - math.sqrt(ab) * x0) / math.sqrt(1 - ab)
    return math.sqrt(ab_prev) * x0 + math.sqrt(1 - ab_prev) * e
