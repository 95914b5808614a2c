"""Writes golden-value files for the C++ tests (read by tests/golden_util.h).

A golden file is JSON: {"source": "...", "cases": [{"name": ..., "attrs": {...},
"tensors": {"x": {"shape": [...], "data": [...]}}}]}. Every tensor is stored in float64; Python's
json writes floats with repr, so values round-trip exactly. The generator scripts beside this file
compute the values with PyTorch in float64 (an implementation independent of lucid).

JSON has no literals for non-finite numbers: NaN and ±inf are stored as the strings "nan", "inf" and
"-inf" (tests/golden_util.h reads them back).
"""
import json
import math
import os

import numpy as np
import torch


def encode(v, digits=None):
    """v for JSON: a float (rounded to `digits` significant digits when given), or a string for NaN, ±inf."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(f"{v:.{digits}g}") if digits else v


def tensor_entry(t, digits=None):
    """A tensor for JSON; `digits` (e.g. 9, enough for float32 values to round-trip) shortens its numbers."""
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": [encode(v, digits) for v in t.reshape(-1).tolist()]}


def case(name, attrs, **tensors):
    return {"name": name, "attrs": attrs,
            "tensors": {k: tensor_entry(v) for k, v in tensors.items() if v is not None}}


def write(filename, cases, source, compact=False):
    """Writes the cases; `compact` leaves out the spaces after commas and colons."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)
    with open(path, "w") as f:
        json.dump({"source": source, "torch_version": torch.__version__, "cases": cases}, f,
                  separators=(",", ":") if compact else None)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


def f32_exact(t):
    """t rounded to the nearest float32, held in float64."""
    return t.to(torch.float32).to(torch.float64)


def relative_gap(got, want):
    """max |got − want| / max |want| (long double); the absolute gap where want is all zeros."""
    want = np.asarray(want, dtype=np.longdouble)
    gap = np.abs(got.numpy().astype(np.longdouble) - want).max()
    scale = np.abs(want).max()
    return float(gap / scale if scale > 0 else gap)


def spiked(x, positions, values):
    """x with the given (index tuple) elements set to the given values."""
    for position, value in zip(positions, values):
        x[position] = value
    return x
