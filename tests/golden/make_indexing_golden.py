"""Writes indexing.json: PyTorch 1.13's x[...] (LibTorch's x.index({...})), x[...] = v (index_put_) and
in-place writes through views, in float64: each case's inputs, output, the gradients of Σ gy·out for
every input and, for basic indexing, the view's strides and storage offset.

An index list is stored as JSON entries: {"int": i}, {"slice": [start, stop, step]} (null = unset),
{"none": 1}, {"ellipsis": 1}, {"tensor": key} (int64 positions) and {"mask": key} (a 0/1 mask; PyTorch
gets it as bool). Run with /usr/bin/python3 (which has torch); tests/autodiff/indexing_test.cc reads it.
"""
import torch

from golden import case, write

torch.manual_seed(0)

idx = {
    "dup": torch.tensor([3, 0, 3]),
    "neg": torch.tensor([-1, 0]),
    "grid": torch.tensor([[4, 0], [2, 2]]),
    "i5": torch.tensor([1, 4, 0]),
    "i6": torch.tensor([5, 0, 2]),
    "i4": torch.tensor([2, 0, 3]),
    "col": torch.tensor([[1], [3]]),
    "row": torch.tensor([0, 4, 2]),
    "two": torch.tensor([2, 0]),
}
masks = {
    "m4": torch.tensor([1.0, 0.0, 1.0, 1.0]),
    "m45": (torch.rand(4, 5) > 0.5).double(),
    "m5": torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0]),
}


def python_index(entries):
    out = []
    for e in entries:
        if "int" in e:
            out.append(e["int"])
        elif "slice" in e:
            out.append(slice(*e["slice"]))
        elif "none" in e:
            out.append(None)
        elif "ellipsis" in e:
            out.append(Ellipsis)
        elif "tensor" in e:
            out.append(idx[e["tensor"]])
        else:
            out.append(masks[e["mask"]].bool())
    return tuple(out)


def used_tensors(entries):
    tensors = {}
    for e in entries:
        if "tensor" in e:
            tensors[e["tensor"]] = idx[e["tensor"]].double()
        if "mask" in e:
            tensors[e["mask"]] = masks[e["mask"]]
    return tensors


def index_case(name, entries, shape=(4, 5, 6)):
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    out = x[python_index(entries)]
    gy = torch.randn(out.shape, dtype=torch.float64)
    out.backward(gy)
    attrs = dict(kind="index", index=entries)
    if out._base is not None:
        attrs.update(strides=list(out.stride()), storage_offset=out.storage_offset())
    return case(name, attrs, in0=x.detach(), d0=x.grad, out=out.detach(), gy=gy, **used_tensors(entries))


def put_case(name, entries, value_shape=None, scalar=None, shape=(4, 5, 6)):
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    v = None if value_shape is None else torch.randn(value_shape, dtype=torch.float64, requires_grad=True)
    h = x * 1.0
    h[python_index(entries)] = v if v is not None else scalar
    gy = torch.randn(h.shape, dtype=torch.float64)
    h.backward(gy)
    attrs = dict(kind="put", index=entries)
    if scalar is not None:
        attrs["scalar"] = scalar
    return case(name, attrs, in0=x.detach(), d0=x.grad, in1=None if v is None else v.detach(),
                d1=None if v is None else v.grad, out=h.detach(), gy=gy, **used_tensors(entries))


def scenario(name, fn, shapes):
    """An in-place write through views, written the same way in the C++ test (kind "scenario")."""
    inputs = [torch.randn(s, dtype=torch.float64, requires_grad=True) for s in shapes]
    out = fn(*inputs)
    gy = torch.randn(out.shape, dtype=torch.float64)
    out.backward(gy)
    tensors = {f"in{i}": t.detach() for i, t in enumerate(inputs)}
    tensors.update({f"d{i}": t.grad for i, t in enumerate(inputs)})
    return case(name, dict(kind="scenario", inputs=len(inputs)), out=out.detach(), gy=gy, **tensors)


def view_mul(x, w):
    h = x * 2
    h.narrow(1, 1, 2).mul_(w)
    return h


def copy_into_buffer(w):
    buf = torch.zeros(3, 4, dtype=torch.float64)
    buf.narrow(0, 0, 2).copy_(w)
    return buf * buf


def view_of_view_add(x, w):
    h = x * 1
    h.select(0, 1).narrow(0, 1, 3).add_(w)
    return h


def stale_view(x):
    h = x * 1
    v = h[:, 1::2]
    h.mul_(3)
    return v * v


def two_views(x, w1, w2):
    h = x * 1
    a = h[0]
    b = h[1:3]
    a.add_(w1)
    b.mul_(w2)
    return h * h


def S(*args):
    return {"slice": list(args)}


cases = [
    index_case("int", [{"int": 0}]),
    index_case("int_negative_slice", [{"int": -1}, S(1, None, None)]),
    index_case("slice_step", [S(None, None, None), S(1, None, 2)]),
    index_case("none_ellipsis_int", [{"none": 1}, {"ellipsis": 1}, {"int": 2}]),
    index_case("ellipsis_slice", [{"ellipsis": 1}, S(None, None, 3)]),
    index_case("slice_clamped", [S(-10, 2, None), S(3, 100, None)]),
    index_case("int64_duplicates", [{"tensor": "dup"}]),
    index_case("int64_negative", [{"tensor": "neg"}]),
    index_case("int64_2d_after_slice", [S(None, None, None), {"tensor": "grid"}]),
    index_case("two_adjacent", [S(None, None, None), {"tensor": "i5"}, {"tensor": "i6"}]),
    index_case("two_separated", [{"tensor": "i4"}, S(None, None, None), {"tensor": "i6"}]),
    index_case("broadcast_positions", [{"tensor": "col"}, {"tensor": "row"}]),
    index_case("mask", [{"mask": "m4"}]),
    index_case("mask_2d", [{"mask": "m45"}]),
    index_case("slice_then_mask", [S(1, 3, None), {"mask": "m5"}]),
    index_case("none_then_tensor", [{"none": 1}, {"tensor": "two"}]),
    put_case("put_mask_scalar", [{"mask": "m45"}], scalar=0.0),
    put_case("put_slice_int", [S(None, None, None), {"int": 1}], value_shape=(6,)),
    put_case("put_int64", [{"tensor": "two"}], value_shape=(2, 5, 6)),
    put_case("put_two_adjacent", [S(None, None, None), {"tensor": "i5"}, {"tensor": "i6"}], value_shape=(3,)),
    put_case("put_two_separated", [{"tensor": "i4"}, S(None, None, None), {"tensor": "i6"}], value_shape=(3, 5)),
    put_case("put_mask_values", [{"mask": "m4"}], value_shape=(3, 5, 6)),
    put_case("put_ellipsis_int", [{"ellipsis": 1}, {"int": 0}], value_shape=(4, 5)),
    scenario("view_mul_", view_mul, [(4, 5, 6), (4, 2, 6)]),
    scenario("copy_into_buffer", copy_into_buffer, [(2, 4)]),
    scenario("view_of_view_add_", view_of_view_add, [(3, 5), (3,)]),
    scenario("stale_view", stale_view, [(3, 6)]),
    scenario("two_views", two_views, [(4, 3), (3,), (2, 3)]),
]
write("indexing.json", cases, "tests/golden/make_indexing_golden.py")
