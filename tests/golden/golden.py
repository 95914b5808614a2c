"""Writes golden-value files for the C++ tests (read by tests/golden_util.h).

A golden file is JSON: {"source": "...", "cases": [{"name": ..., "attrs": {...},
"tensors": {"x": {"shape": [...], "data": [...]}}}]}. Every tensor is stored in float64; Python's
json writes floats with repr, so values round-trip exactly. The generator scripts beside this file
compute the values with PyTorch in float64 (an implementation independent of lucid).
"""
import json
import os

import torch


def tensor_entry(t):
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def case(name, attrs, **tensors):
    return {"name": name, "attrs": attrs,
            "tensors": {k: tensor_entry(v) for k, v in tensors.items() if v is not None}}


def write(filename, cases, source):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)
    with open(path, "w") as f:
        json.dump({"source": source, "torch_version": torch.__version__, "cases": cases}, f)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")
