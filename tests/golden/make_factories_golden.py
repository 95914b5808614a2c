"""Writes factories.json: PyTorch 1.13's linspace in float32 and float64 (its CPU kernel computes the
first half from start and the second from end, so the rounding of each element is PyTorch's own).

Run with /usr/bin/python3 (which has torch). Values are stored in float64; float32 results are
exactly representable there.
"""
import torch

from golden import case, write

cases = []
for start, end, steps in [(0.0, 1.0, 5), (-3.5, 10.25, 7), (0.001, 1000.0, 11), (2.0, -2.0, 4), (5.0, 5.0, 1),
                          (0.0, 1.0, 0), (0.1, 0.7, 1000), (-1e4, 1e4 + 0.3, 33)]:
    for dtype, name in [(torch.float32, "float32"), (torch.float64, "float64")]:
        out = torch.linspace(start, end, steps, dtype=dtype)
        cases.append(case(f"linspace_{len(cases)}", {"start": start, "end": end, "steps": steps, "dtype": name},
                          out=out))
write("factories.json", cases, "tests/golden/make_factories_golden.py")
