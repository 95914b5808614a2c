"""The Fashion-MNIST example's model and data in PyTorch, for comparison only (python3-torch 1.13).

The layers are those of examples/fashion_mnist/model.h in the same nn.Sequential order, so the
parameter names ("0.weight", "1.bias", ...) are those of a lucid checkpoint. The data is read from
the same IDX files and normalised the same way as lucid::data::load_fashion_mnist.
"""
import gzip
import os

import numpy as np
import torch
from torch import nn

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


NORMS = ("group", "batch", "layer", "instance")


def make_norm(norm, channels, side):
    """The --norm layer of examples/fashion_mnist/model.cc over `channels` maps of side `side`."""
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    if norm == "layer":
        return nn.LayerNorm((channels, side, side))
    if norm == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    if norm == "group":
        return nn.GroupNorm(8, channels)
    raise ValueError(f"unknown normalisation {norm!r}: expected one of {NORMS}")


def make_model(norm="group"):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), make_norm(norm, 32, 28), nn.SiLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), make_norm(norm, 64, 14), nn.SiLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 10))


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndims = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(dims)


def load_fashion_mnist(train, data_dir=DATA_DIR, limit=0):
    """(images float32 (N, 1, 28, 28) normalised, labels int64 (N,))."""
    prefix = "train" if train else "t10k"
    images = _read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    if limit > 0:
        images, labels = images[:limit], labels[:limit]
    x = (images.astype(np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(x[:, None].copy()), torch.from_numpy(labels.astype(np.int64))


@torch.no_grad()
def predict(model, images, batch_size=1000):
    model.eval()
    return torch.cat([model(images[i:i + batch_size]).argmax(1) for i in range(0, len(images), batch_size)])
