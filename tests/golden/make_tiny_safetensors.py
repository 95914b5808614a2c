"""Writes tiny.safetensors with scripts/safetensors_numpy.py (an implementation independent of lucid's),
for the C++ cross-compatibility test. The values are closed forms the test recomputes:
  weight  F32 (2, 3): (i - 2.5) / 4 for i = 0..5, row-major
  bias    F32 (2,):   [0.1, -1.5]        (0.1 rounded to float32)
  scale   F64 ():     pi / 3
  empty   F64 (0, 3)
  __metadata__: {"format": "pt", "generator": "make_tiny_safetensors.py"}
Run with /usr/bin/python3 (needs numpy).
"""
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import safetensors_numpy  # noqa: E402

tensors = {
    "weight": ((np.arange(6, dtype=np.float64) - 2.5) / 4).reshape(2, 3).astype(np.float32),
    "bias": np.array([0.1, -1.5], dtype=np.float32),
    "scale": np.array(math.pi / 3, dtype=np.float64),
    "empty": np.zeros((0, 3), dtype=np.float64),
}
path = os.path.join(HERE, "tiny.safetensors")
safetensors_numpy.save(path, tensors, {"format": "pt", "generator": "make_tiny_safetensors.py"})
print(f"wrote {len(tensors)} tensors to {path}")
