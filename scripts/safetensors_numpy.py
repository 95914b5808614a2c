"""Reads and writes safetensors files with only json and numpy (Debian packages no safetensors).

    import safetensors_numpy as st
    tensors = st.load("model.safetensors")          # {"name": numpy.ndarray}
    st.save("copy.safetensors", tensors, {"epoch": "5"})

Layout: an 8-byte little-endian u64 N, N bytes of JSON header
{"__metadata__": {str: str}, "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}
padded with spaces to a multiple of 8, then the tensors' little-endian bytes (offsets relative to the
byte after the header). As in the reference implementation, save() orders tensors by descending
element size, then by name, and load() requires the data regions to tile the data section exactly.
"""
import json
import os
import struct

import numpy as np

DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"), "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"), "U32": np.dtype("<u4"), "U16": np.dtype("<u2"), "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
CODES = {dtype: code for code, dtype in DTYPES.items()}
MAX_HEADER_BYTES = 100_000_000


def _read_header(data, path):
    """(header dict, data offset) after checking the length, the JSON and every tensor entry."""
    if len(data) < 8:
        raise ValueError(f"{path}: {len(data)} bytes, fewer than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES or n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} does not fit the {len(data)}-byte file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError(f"{path}: the header is not a JSON object")
    data_size = len(data) - 8 - n
    regions = []
    for name, info in header.items():
        if name == "__metadata__":
            if not all(isinstance(v, str) for v in info.values()):
                raise ValueError(f"{path}: __metadata__ values must be strings")
            continue
        dtype = DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {info['dtype']!r}")
        begin, end = info["data_offsets"]
        numel = int(np.prod(info["shape"], dtype=object))
        if not 0 <= begin <= end <= data_size or end - begin != numel * dtype.itemsize:
            raise ValueError(f"{path}: tensor {name!r} has bad data_offsets [{begin}, {end}]")
        regions.append((begin, end, name))
    expected = 0
    for begin, end, name in sorted(regions):
        if begin != expected:
            raise ValueError(f"{path}: tensor {name!r} overlaps another or leaves a gap at byte {expected}")
        expected = end
    if expected != data_size:
        raise ValueError(f"{path}: {data_size - expected} trailing bytes after the tensor data")
    return header, 8 + n


def load(path):
    """All tensors of the file as {name: numpy.ndarray} (native copies, in file order)."""
    with open(path, "rb") as f:
        data = f.read()
    header, start = _read_header(data, path)
    entries = sorted((info["data_offsets"], name) for name, info in header.items() if name != "__metadata__")
    out = {}
    for (begin, end), name in entries:
        info = header[name]
        array = np.frombuffer(data, dtype=DTYPES[info["dtype"]], count=(end - begin) // DTYPES[info["dtype"]].itemsize,
                              offset=start + begin)
        out[name] = array.reshape(info["shape"]).astype(array.dtype.newbyteorder("="))
    return out


def load_metadata(path):
    """The file's __metadata__ dict ({} when absent)."""
    with open(path, "rb") as f:
        data = f.read()
    return dict(_read_header(data, path)[0].get("__metadata__", {}))


def save(path, tensors, metadata=None):
    """Writes {name: array} (and optional {str: str} metadata) to path, atomically (temp file + rename)."""
    arrays = {name: np.asarray(value, order="C") for name, value in tensors.items()}
    for name, array in arrays.items():
        if array.dtype.newbyteorder("<") not in CODES:
            raise ValueError(f"tensor {name!r}: dtype {array.dtype} has no safetensors code")
    order = sorted(arrays, key=lambda name: (-arrays[name].dtype.itemsize, name))
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    for name in order:
        array = arrays[name]
        header[name] = {"dtype": CODES[array.dtype.newbyteorder("<")], "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    temporary = f"{path}.tmp.{os.getpid()}"
    try:
        with open(temporary, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for name in order:
                array = arrays[name]
                f.write(array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
