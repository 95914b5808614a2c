#!/usr/bin/env python3
"""Writes the seed corpus of the reader fuzz tests (tests/reliability/*_fuzz_test.cc): small valid
safetensors and IDX files, each exercising a different part of its format. Standard library only;
the output is deterministic (gzip mtime 0), so re-running it changes nothing.

    /usr/bin/python3 tests/reliability/corpus/make_corpus.py
"""
import gzip
import io
import json
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(relative, data):
    with open(os.path.join(HERE, relative), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None, pad=True, indent=None, data_order=None):
    """tensors: list of (name, dtype "F32"/"F64", shape, values). The data section holds the tensors
    in data_order (indices into tensors; default: the header's order)."""
    fmt = {"F32": "<f", "F64": "<d"}
    blobs = [b"".join(struct.pack(fmt[dtype], v) for v in values) for _, dtype, _, values in tensors]
    order = data_order if data_order is not None else list(range(len(tensors)))
    offsets, position = {}, 0
    for i in order:
        offsets[i] = (position, position + len(blobs[i]))
        position += len(blobs[i])
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    for i, (name, dtype, shape, _) in enumerate(tensors):
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": list(offsets[i])}
    text = json.dumps(header, indent=indent).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs[i] for i in order)


def idx(dims, data):
    assert len(data) == math.prod(dims)
    return bytes([0, 0, 0x08, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def gzip_bytes(data, filename=None):
    out = io.BytesIO()
    with gzip.GzipFile(filename=filename or "", mode="wb", fileobj=out, mtime=0) as f:
        f.write(data)
    return out.getvalue()


# safetensors: the layout nn::Linear(3, 2) saves (the fuzz test's load() target), the same in float64,
# an empty file, metadata alone, and a mix of scalar, zero-size and out-of-order data with an
# unpadded, indented header.
linear = [("weight", "F32", [2, 3], [0.5, -1.0, 2.0, 0.25, 3.0, -0.75]), ("bias", "F32", [2], [1.0, -2.0])]
write("safetensors/linear.safetensors", safetensors(linear, metadata={"epoch": "3"}))
write("safetensors/linear_f64.safetensors",
      safetensors([(n, "F64", s, v) for n, _, s, v in linear], data_order=[1, 0]))
write("safetensors/empty.safetensors", safetensors([]))
write("safetensors/metadata_only.safetensors", safetensors([], metadata={"format": "pt", "note": "seed"}))
write("safetensors/mixed.safetensors",
      safetensors([("scale", "F64", [], [1.5]), ("none", "F32", [0, 3], []), ("v", "F32", [4], [1, 2, 3, 4]),
                   ("m", "F64", [1, 2, 1], [-1.0, 7.0])],
                  metadata={"k": "v"}, pad=False, indent=1, data_order=[2, 0, 3, 1]))

# IDX: labels, images, an empty array, four dimensions; gzip seeds with and without a file name field.
labels = idx([10], [9, 0, 3, 255, 1, 2, 7, 7, 0, 5])
images = idx([3, 4, 5], [(i * 37 + 11) % 256 for i in range(60)])
write("idx/labels.idx", labels)
write("idx/images.idx", images)
write("idx/empty.idx", idx([0, 28], []))
write("idx/cube.idx", idx([2, 2, 2, 2], list(range(16))))
write("idx/labels.idx.gz", gzip_bytes(labels, filename="labels.idx"))
write("idx/images.idx.gz", gzip_bytes(images))
