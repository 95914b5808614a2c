"""Writes differential.json: PyTorch 1.13's values and gradients for every public lucid op over a fixed
grid of shapes, broadcasts, dtypes and extreme values (issue 25, item 5). Read by
tests/modules/differential_test.cc, which runs every case through lucid.

Run with /usr/bin/python3 (which has torch). Every case runs in float32 and float64 (attrs["dtypes"])
unless it names one dtype. A case stores:
- its inputs as 9-digit decimals: float32 numbers when the case runs in float32 (the test rounds them
  to float32 for both dtypes, so lucid and PyTorch see the very same numbers in both), the nearest
  double otherwise; the names of those needing a gradient (attrs["grad"]), op parameters in attrs;
- int64 inputs (class ids, indices; attrs["int64"] names them) as their integer values: the test
  converts them with .to(lucid::int64); they never need a gradient;
- no upstream gradient: the gradients are those of <gy, y> with gy_i = ((5·i mod 12) − 5.5)/4 over the
  output's elements in row-major order (never 0, exact in float32; upstream_gradient here and in the
  test), so the file need not store it;
- per dtype, y.<dtype> and d<input>.<dtype> (dtype f32 or f64): the output and the gradients of <gy, y>.

The reference values are PyTorch float64 on those inputs: for a float32 case that is the exact answer
(to ~1e-16) for lucid's float32 inputs, so the test measures lucid's float32 error, not PyTorch's.
Only where PyTorch's float32 run, or the float64 one, gives a non-finite number (overflow in
float32, NaN from inf − inf, ...) is the float32 run's value stored: NaN positions and inf signs are
what a float32 user of PyTorch sees. attrs["torch_f32_error"] holds, per tensor, how far PyTorch's own
float32 run lies from the stored values (the largest absolute difference over finite elements): the
test allows lucid twice that, so an input whose float32 rounding alone costs more than the project
tolerance (a 1e4 offset) is not held against lucid.

Extreme values come in grids of similar magnitude (special: ±inf, NaN, ±0 and numbers near 1; huge:
±1e30; tiny: ±1e-30; offset: 1e4 + noise) because the test's absolute tolerance floor is relative to a
tensor's largest finite magnitude.

Outputs that are integers in PyTorch (argmax/argmin, .to(int64), the bool masks of comparisons) are
stored exactly as float64 numbers; the test compares them exactly.

Cases with attrs["rejects"] hold only inputs: PyTorch raised on them, and lucid must raise too.
"""
import itertools
import math

import torch
import torch.nn.functional as F

from golden import case, tensor_entry, write

torch.manual_seed(0)

INF, NAN = math.inf, math.nan
DTYPES = {"f32": torch.float32, "f64": torch.float64}
# Significant digits stored: inputs are 9-digit decimals (read back as float32 numbers when the case
# runs in float32; in a float64-only case the input is the double nearest that decimal); references to
# 5e-9 relative for float32 runs, 5e-14 for float64 ones (tolerances are 1e-5 and 1e-10).
INPUT_DIGITS = 9
DIGITS = {"f32": 8, "f64": 13}

# Value grids (see the module docstring for why they are kept apart by magnitude).
SPECIAL = [-INF, -2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0, INF, NAN]
HUGE = [1e30, -1e30, 3.5e29, -2e30]
TINY = [1e-30, -1e-30, 3e-31, -2e-30]
CROSS = [-INF, -1.5, -0.0, 0.0, 2.0, INF, NAN]  # binary ops: every pair of these

cases = []


def t64(values, shape=None):
    t = torch.tensor(values, dtype=torch.float64)
    return t if shape is None else t.reshape(shape)


def randn(*shape, scale=1.0, offset=0.0):
    return offset + scale * torch.randn(shape, dtype=torch.float64)


def rounded(t, dtype):
    """t's values as the test reads them back: rounded to INPUT_DIGITS significant digits, then to
    dtype (in float32, 9 digits give back the very float32 number), held in float64."""
    t = t.to(dtype).to(torch.float64)
    return t64([float(f"{v:.{INPUT_DIGITS}g}") for v in t.reshape(-1).tolist()], t.shape).to(dtype).to(torch.float64)


def cross(a_values, b_values):
    """Every pair (a, b) as two 1-D tensors of equal length: elementwise gradients, no broadcasting."""
    pairs = list(itertools.product(a_values, b_values))
    return t64([p[0] for p in pairs]), t64([p[1] for p in pairs])


def upstream_gradient(shape):
    """gy_i = ((5·i mod 12) − 5.5)/4: ±0.125 … ±1.375, never 0, exact in float32 (the test computes the same)."""
    n = math.prod(shape)
    return t64([((5 * i % 12) - 5.5) / 4 for i in range(n)], shape)


def leaves_for(inputs, grad, dtype, int64):
    """The inputs as PyTorch leaves: int64 ones as torch.int64, the others in dtype."""
    return {k: v.to(torch.int64) if k in int64 else v.to(dtype).clone().requires_grad_(k in grad)
            for k, v in inputs.items()}


def evaluate(fn, inputs, grad, dtype, gy, int64=()):
    """fn(**inputs) in dtype; the output and the gradients of <gy, y> (float64)."""
    leaves = leaves_for(inputs, grad, dtype, int64)
    y = fn(**leaves)
    grads = {}
    if grad:
        y.backward(gy.to(y.dtype))
        for k in grad:
            g = leaves[k].grad
            grads[k] = torch.zeros_like(inputs[k]) if g is None else g.to(torch.float64)
    return y.detach().to(torch.float64), grads


def merged(ref64, run32):
    """The float64 reference, with float32's value wherever either is non-finite."""
    both_finite = torch.isfinite(ref64) & torch.isfinite(run32)
    return torch.where(both_finite, ref64, run32)


def f32_error(ref, run32):
    finite = torch.isfinite(ref) & torch.isfinite(run32)
    return float((ref[finite] - run32[finite]).abs().max()) if finite.any() else 0.0


def spec(name, op, fn, inputs, grad=(), dtypes=("f32", "f64"), int64=(), **attrs):
    """Adds a case: fn (PyTorch) on `inputs` (float64 tensors; rounded to float32 when the case runs in
    float32 too; those named in int64 are integers, passed as torch.int64), its outputs per dtype as
    y.f32, dx.f32, y.f64, dx.f64, ..."""
    grad, int64 = list(grad), list(int64)
    assert not set(grad) & set(int64), f"{name}: an int64 input cannot need a gradient"
    ins = {k: v if k in int64 else rounded(v, DTYPES[dtypes[0]]) for k, v in inputs.items()}
    y_torch = fn(**leaves_for(ins, [], torch.float64, int64))
    gy = upstream_gradient(y_torch.shape) if grad else None
    integral = not y_torch.is_floating_point()  # int64 or bool: stored exactly, no float32 merging
    case_attrs = {"op": op, "dtypes": list(dtypes), "inputs": list(inputs), "grad": grad, **attrs}
    if int64:
        case_attrs["int64"] = int64
    tensors = {k: tensor_entry(v, INPUT_DIGITS) for k, v in ins.items()}
    for suffix in dtypes:
        y, grads = evaluate(fn, ins, grad, torch.float64, gy, int64)
        outputs = {"y": y, **{"d" + k: g for k, g in grads.items()}}
        if suffix == "f32":
            y32, grads32 = evaluate(fn, ins, grad, torch.float32, gy, int64)
            runs32 = {"y": y32, **{"d" + k: g for k, g in grads32.items()}}
            if integral:
                assert torch.equal(y, y32), f"{name}: PyTorch's integer outputs differ between dtypes"
            outputs = {k: merged(v, runs32[k]) for k, v in outputs.items()}
            case_attrs["torch_f32_error"] = {k: float(f"{f32_error(v, runs32[k]):.2g}") for k, v in outputs.items()}
        tensors.update({f"{k}.{suffix}": tensor_entry(v, None if integral and k == "y" else DIGITS[suffix])
                        for k, v in outputs.items()})
    cases.append({"name": name, "attrs": case_attrs, "tensors": tensors})


def rejects(name, op, fn, inputs, int64=(), **attrs):
    """A float64 case PyTorch raises on (inputs named in int64 passed as torch.int64); the test expects
    lucid to raise too."""
    try:
        fn(**leaves_for(inputs, [], torch.float64, int64))
    except (RuntimeError, ValueError, IndexError):
        attrs = {"op": op, "dtypes": ["f64"], "inputs": list(inputs), "grad": [], "rejects": True, **attrs}
        if int64:
            attrs["int64"] = list(int64)
        cases.append(case(name, attrs, **inputs))
        return
    raise AssertionError(f"{name}: PyTorch accepted the input")


# ---- unary elementwise ops (framework/kernels/unary_ops.inc) ----
UNARY = {
    "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "silu": F.silu,
    "erf": torch.erf, "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
}


def unary_grids(positive):
    """name → x for an op's grids; `positive` ops (log, sqrt, rsqrt) get mostly positive ordinary inputs."""
    normal = randn(3, 4, scale=3.0)
    if positive:
        normal = torch.cat([normal.abs().reshape(-1)[:10] + 0.05, t64([-0.5, -2.0])]).reshape(3, 4)
    return {"normal": normal, "special": t64(SPECIAL), "huge": t64(HUGE), "tiny": t64(TINY),
            "offset": randn(2, 3, offset=1e4), "neg_offset": randn(2, 3, offset=-1e4),
            "scalar": t64(0.7), "empty": torch.zeros(0, 3, dtype=torch.float64)}


for op, fn in UNARY.items():
    for grid, x in unary_grids(op in ("log", "sqrt", "rsqrt")).items():
        spec(f"{op}_{grid}", op, lambda x, fn=fn: fn(x), {"x": x}, grad=["x"])

# ---- binary elementwise ops, tensor operands, broadcasting ----
BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
          "maximum": torch.maximum, "minimum": torch.minimum}


def binary_grids():
    grids = {
        "same": (randn(3, 4), randn(3, 4)),
        "row": (randn(3, 4), randn(4)),
        "both": (randn(2, 1, 4), randn(3, 1)),
        "zero_dim": (randn(3, 4), randn()),
        "left_small": (randn(4), randn(2, 3, 4)),
        "offset": (randn(6, offset=1e4), randn(6, offset=1e4)),
    }
    # Every pair: ties (±0, equal infinities, the diagonal) and NaN on either side included.
    grids["special"] = cross(CROSS, CROSS)
    grids["huge"] = cross(HUGE, HUGE)
    grids["tiny"] = cross(TINY, TINY)
    return grids


for op, fn in BINARY.items():
    for grid, (a, b) in binary_grids().items():
        spec(f"{op}_{grid}", op, lambda a, b, fn=fn: fn(a, b), {"a": a, "b": b}, grad=["a", "b"])

# ---- scalar operands: x op s and s op x ----
SCALAR_OPS = {
    "add_scalar": lambda x, s: x + s, "sub_scalar": lambda x, s: x - s, "rsub_scalar": lambda x, s: s - x,
    "mul_scalar": lambda x, s: x * s, "div_scalar": lambda x, s: x / s, "rdiv_scalar": lambda x, s: s / x,
}
for op, fn in SCALAR_OPS.items():
    spec(f"{op}_normal", op, lambda x, fn=fn: fn(x, 2.5), {"x": randn(3, 4)}, grad=["x"], scalar=2.5)
    for label, s in (("neg_zero", -0.0), ("inf", INF), ("nan", NAN), ("huge", 1e30)):
        spec(f"{op}_special_{label}", op, lambda x, fn=fn, s=s: fn(x, s), {"x": t64(SPECIAL)}, grad=["x"],
             scalar=("nan" if math.isnan(s) else ("inf" if s == INF else s)))

# ---- pow(x, exponent) ----
for e in (2.0, 3.0, 0.5, -0.5, -1.0, 0.0, 1.0, 2.5, -2.0):
    label = str(e).replace("-", "m").replace(".", "p")
    for grid, x in (("normal", randn(3, 4, scale=2.0)), ("special", t64(SPECIAL))):
        spec(f"pow_{label}_{grid}", "pow", lambda x, e=e: torch.pow(x, e), {"x": x}, grad=["x"], exponent=e)
spec("pow_2_huge", "pow", lambda x: torch.pow(x, 2.0), {"x": t64(HUGE)}, grad=["x"], exponent=2.0)
spec("pow_m2_tiny", "pow", lambda x: torch.pow(x, -2.0), {"x": t64(TINY)}, grad=["x"], exponent=-2.0)

# ---- clamp(x, min, max) (bounds included in the gradient, as PyTorch) ----
at_bounds = t64([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0, -2.0, 0.25, 1.0 + 1e-6, -0.5 - 1e-6])
for label, x, lo, hi in (("normal", randn(3, 4, scale=2.0), -1.0, 1.5), ("at_bounds", at_bounds, -0.5, 1.0),
                         ("special", t64(SPECIAL), -1.0, 1.0), ("inf_bounds", t64(SPECIAL), -INF, 0.5),
                         ("min_above_max", randn(6), 1.0, -1.0)):
    enc = lambda v: "inf" if v == INF else ("-inf" if v == -INF else v)
    spec(f"clamp_{label}", "clamp", lambda x, lo=lo, hi=hi: torch.clamp(x, lo, hi), {"x": x}, grad=["x"],
         min=enc(lo), max=enc(hi))

# ---- where(condition, a, b) and greater(a, b) ----
cond = t64([1.0, 0.0, 1.0]).reshape(3, 1)
for label, a, b in (("broadcast", randn(3, 4), randn(4)),
                    ("special", t64([NAN, INF, -INF, 1.0] * 3).reshape(3, 4), t64([-INF, NAN, 2.0, INF])),
                    ("same", randn(3, 4), randn(3, 4))):
    spec(f"where_{label}", "where", lambda cond, a, b: torch.where(cond > 0.5, a, b), {"cond": cond, "a": a, "b": b},
         grad=["a", "b"])
for label, (a, b) in (("broadcast", (randn(3, 4), randn(4))), ("special", cross(CROSS, CROSS)),
                      ("ties", (t64([1.0, 2.0, -0.0, INF]), t64([1.0, 3.0, 0.0, INF])))):
    spec(f"greater_{label}", "greater", lambda a, b: torch.gt(a, b).to(a.dtype), {"a": a, "b": b})

# ---- reductions ----
REDUCTION_GRIDS = {
    "normal": randn(2, 3, 4),
    "special": t64([[1.0, INF, 2.0, 3.0], [-INF, 1.0, INF, 0.0], [NAN, 0.0, 1.0, 2.0], [0.5, -1.5, 2.0, -0.0]]),
    "offset": randn(4, 6, offset=1e4),
    "huge": t64([[3e38, 3e38, 1e30], [1e30, -2e30, 5e29]]),
}
for op, fn in (("sum", torch.sum), ("mean", torch.mean)):
    for label, dims, keepdim in (("all", None, False), ("dim1", [1], False), ("dims02_keep", [0, 2], True),
                                 ("last_keep", [-1], True), ("every_dim", [0, 1, 2], False)):
        f = (lambda x, fn=fn: fn(x)) if dims is None else (lambda x, fn=fn, d=dims, k=keepdim: fn(x, d, keepdim=k))
        spec(f"{op}_normal_{label}", op, f, {"x": REDUCTION_GRIDS["normal"]}, grad=["x"], dims=dims, keepdim=keepdim)
    for grid in ("special", "offset", "huge"):
        for label, dims in (("all", None), ("dim1", [1])):
            f = (lambda x, fn=fn: fn(x)) if dims is None else (lambda x, fn=fn, d=dims: fn(x, d))
            spec(f"{op}_{grid}_{label}", op, f, {"x": REDUCTION_GRIDS[grid]}, grad=["x"], dims=dims, keepdim=False)
    spec(f"{op}_zero_dim", op, lambda x, fn=fn: fn(x), {"x": t64(1.5)}, grad=["x"], dims=None, keepdim=False)
    spec(f"{op}_empty_dim0", op, lambda x, fn=fn: fn(x, [0]), {"x": torch.zeros(0, 3, dtype=torch.float64)},
         grad=["x"], dims=[0], keepdim=False)
for label, shape in (("to_3x1", [3, 1]), ("to_1x4", [1, 4]), ("to_4", [4]), ("to_scalar", [])):
    spec(f"sum_to_{label}", "sum_to", lambda x, s=shape: x.sum_to_size(s) if s else x.sum(), {"x": randn(2, 3, 4)},
         grad=["x"], shape=shape)
for label, x, shape in (("3x1_to_2x3x4", randn(3, 1), [2, 3, 4]), ("4_to_3x4", randn(4), [3, 4]),
                        ("scalar_to_2x2", randn(), [2, 2])):
    spec(f"expand_{label}", "expand", lambda x, s=shape: x.expand(s).clone(), {"x": x}, grad=["x"], shape=shape)

# ---- shape ops, clone, dtype conversion ----
x234 = randn(2, 3, 4)
for label, shape in (("4_m1", [4, -1]), ("flat", [24]), ("m1_2_3", [-1, 2, 3])):
    spec(f"reshape_{label}", "reshape", lambda x, s=shape: x.reshape(s), {"x": x234}, grad=["x"], shape=shape)
spec("reshape_to_scalar", "reshape", lambda x: x.reshape([]), {"x": t64([2.5]).reshape(1, 1)}, grad=["x"], shape=[])
for label, dims in (("201", [2, 0, 1]), ("m1_0_1", [-1, 0, 1]), ("identity", [0, 1, 2])):
    spec(f"permute_{label}", "permute", lambda x, d=dims: x.permute(d), {"x": x234}, grad=["x"], dims=dims)
for label, d0, d1 in (("0_2", 0, 2), ("m1_m2", -1, -2), ("same", 1, 1)):
    spec(f"transpose_{label}", "transpose", lambda x, a=d0, b=d1: x.transpose(a, b), {"x": x234}, grad=["x"],
         dim0=d0, dim1=d1)
spec("clone_normal", "clone", lambda x: x.clone(), {"x": x234}, grad=["x"])
spec("clone_special", "clone", lambda x: x.clone(), {"x": t64(SPECIAL)}, grad=["x"])
spec("to_float64", "to_dtype", lambda x: x.to(torch.float64), {"x": t64(SPECIAL + HUGE + TINY)}, grad=["x"],
     dtypes=("f32",), to="float64")
spec("to_float32", "to_dtype", lambda x: x.to(torch.float32), {"x": t64(SPECIAL + [1e300, -1e300, 1e-300, 0.1])},
     grad=["x"], dtypes=("f64",), to="float32")

# ---- matmul and mm ----
for label, a, b in (("3x4_4x5", randn(3, 4), randn(4, 5)), ("row_col", randn(1, 6), randn(6, 1)),
                    ("outer", randn(5, 1), randn(1, 4)), ("empty_inner", randn(3, 0), randn(0, 2)),
                    ("nonfinite", t64([[1.0, INF], [NAN, 2.0], [1.0, -1.0]]), t64([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0]])),
                    ("offset", randn(3, 5, offset=1e4), randn(5, 2, offset=1e4))):
    spec(f"matmul_{label}", "matmul", lambda a, b: a @ b, {"a": a, "b": b}, grad=["a", "b"])
for ta, tb in ((False, False), (True, False), (False, True), (True, True)):
    a = randn(4, 3) if ta else randn(3, 4)
    b = randn(5, 4) if tb else randn(4, 5)
    spec(f"mm_t{int(ta)}{int(tb)}", "mm", lambda a, b, ta=ta, tb=tb: (a.T if ta else a) @ (b.T if tb else b),
         {"a": a, "b": b}, grad=["a", "b"], transpose_a=ta, transpose_b=tb)

# ---- nn functionals ----
for label, x, w, b in (("basic", randn(4, 5), randn(3, 5), randn(3)), ("3d_nobias", randn(2, 3, 4), randn(6, 4), None),
                       ("nonfinite", t64([[1.0, INF, 0.0], [NAN, 1.0, 2.0]]), randn(2, 3), randn(2)),
                       ("offset", randn(3, 4, offset=1e4), randn(2, 4), randn(2))):
    ins = {"x": x, "weight": w} if b is None else {"x": x, "weight": w, "bias": b}
    spec(f"linear_{label}", "linear", lambda x, weight, bias=None: F.linear(x, weight, bias), ins, grad=list(ins))
spec("linear_in_features_0", "linear", lambda x, weight, bias: F.linear(x, weight, bias),
     {"x": randn(2, 0), "weight": randn(3, 0), "bias": randn(3)}, grad=["x", "weight", "bias"])

# name, (N, C, H, W), O, kernel, stride, padding, dilation, groups, bias
CONV = [("basic", (1, 1, 4, 4), 2, (3, 3), 1, 0, 1, 1, True),
        ("pad1_batch2", (2, 2, 4, 4), 3, (3, 3), 1, 1, 1, 1, True),
        ("stride2_pad2_nobias", (1, 2, 6, 6), 2, (3, 3), 2, 2, 1, 1, False),
        ("dilation2", (1, 1, 6, 5), 2, (3, 3), 1, 1, 2, 1, True),
        ("nonsquare_mixed", (1, 2, 5, 6), 2, (2, 3), (2, 1), (1, 0), (1, 2), 1, True),
        ("groups2", (1, 4, 4, 4), 4, (3, 3), 1, 1, 1, 2, True),
        ("depthwise", (1, 2, 4, 4), 2, (3, 3), 1, 1, 1, 2, False),
        ("same", (1, 2, 4, 5), 2, (3, 3), 1, "same", 1, 1, True),
        ("same_even_kernel_dilation", (1, 1, 5, 4), 2, (2, 4), 1, "same", (2, 1), 1, True)]


def pair(v):
    return list(v) if isinstance(v, tuple) else [v, v]


for label, shape, o, k, s, p, d, g, bias in CONV:
    ins = {"x": randn(*shape), "weight": randn(o, shape[1] // g, *k)}
    if bias:
        ins["bias"] = randn(o)
    spec(f"conv2d_{label}", "conv2d", lambda x, weight, bias=None, s=s, p=p, d=d, g=g: F.conv2d(x, weight, bias, s, p, d, g),
         ins, grad=list(ins), stride=pair(s), padding=p if p == "same" else pair(p), dilation=pair(d), groups=g)
x = randn(1, 2, 4, 4)
x[0, 0, 1, 2], x[0, 1, 3, 0] = NAN, INF
spec("conv2d_nonfinite", "conv2d", lambda x, weight, bias: F.conv2d(x, weight, bias, 1, 1),
     {"x": x, "weight": randn(2, 2, 3, 3), "bias": randn(2)}, grad=["x", "weight", "bias"], stride=[1, 1],
     padding=[1, 1], dilation=[1, 1], groups=1)
spec("conv2d_offset", "conv2d", lambda x, weight, bias: F.conv2d(x, weight, bias),
     {"x": randn(1, 2, 4, 4, offset=1e4), "weight": randn(2, 2, 2, 2), "bias": randn(2)}, grad=["x", "weight", "bias"],
     stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1)


def pool_inputs():
    x = randn(1, 2, 5, 6)  # distinct values: no ties inside a window
    special = randn(1, 2, 4, 4)
    special[0, 0, 0, 0], special[0, 0, 2, 3], special[0, 1, 1, 1], special[0, 1, 3, 3] = NAN, INF, -INF, -INF
    special[0, 1, 2:, 2:] = -INF  # a window of -inf only
    ties = t64([1.0, 1.0, 0.0, 2.0, 1.0, 1.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0, 3.0, 3.0, 3.0, 3.0]).reshape(1, 1, 4, 4)
    return x, special, ties


x, special, ties = pool_inputs()
for op, fn in (("max_pool2d", F.max_pool2d), ("avg_pool2d", F.avg_pool2d)):
    for label, inp, k, s, p in (("k2", x, (2, 2), (2, 2), (0, 0)), ("k3_s1_p1", x, (3, 3), (1, 1), (1, 1)),
                                ("k3_s2_p1", x, (3, 3), (2, 2), (1, 1)), ("nonsquare", x, (2, 3), (1, 2), (1, 1)),
                                ("special", special, (2, 2), (2, 2), (0, 0)),
                                ("special_overlap", special, (2, 2), (1, 1), (0, 0)),
                                ("ties", ties, (2, 2), (2, 2), (0, 0)), ("ties_overlap", ties, (2, 2), (1, 1), (0, 0))):
        spec(f"{op}_{label}", op, lambda x, fn=fn, k=k, s=s, p=p: fn(x, k, s, p), {"x": inp}, grad=["x"],
             kernel_size=list(k), stride=list(s), padding=list(p))
for label, inp, size in (("divides", x, (5, 3)), ("global", x, (1, 1)), ("not_dividing", x, (3, 4)),
                         ("larger", x, (7, 7)), ("special", special, (2, 2))):
    spec(f"adaptive_avg_pool2d_{label}", "adaptive_avg_pool2d", lambda x, s=size: F.adaptive_avg_pool2d(x, s),
         {"x": inp}, grad=["x"], output_size=list(size))

constant = randn(2, 4, 3)
constant[:, :2] = 1.5  # group 0 of each sample constant: variance 0, rstd = 1/sqrt(eps)
gn_special = randn(2, 4, 3)
gn_special[0, 0, 1], gn_special[1, 2, 0] = NAN, INF
for label, x, groups, affine, eps in (("nchw_affine", randn(2, 4, 2, 2), 2, True, 1e-5),
                                      ("nc_noaffine", randn(3, 6), 3, False, 1e-5),
                                      ("ncl_eps1e-3", randn(2, 4, 5), 4, True, 1e-3),
                                      ("one_group", randn(2, 3, 2, 2), 1, True, 1e-5),
                                      ("offset", randn(2, 4, 3, offset=1e4), 2, True, 1e-5),
                                      ("constant_group", constant, 2, True, 1e-5),
                                      ("special", gn_special, 2, True, 1e-5),
                                      ("large", randn(2, 4, 3, scale=1e15), 2, True, 1e-5)):
    ins = {"x": x}
    if affine:
        ins["weight"], ins["bias"] = randn(x.shape[1]), randn(x.shape[1])
    spec(f"group_norm_{label}", "group_norm",
         lambda x, weight=None, bias=None, g=groups, eps=eps: F.group_norm(x, g, weight, bias, eps), ins,
         grad=list(ins), num_groups=groups, eps=eps)
# 1e30 in float64 only: PyTorch's float32 run overflows its variance (1e60) to NaN, while lucid (float64
# statistics) returns the finite exact answer; neither is wrong enough to pin down in a test.
ins = {"x": randn(2, 4, 3, scale=1e30), "weight": randn(4), "bias": randn(4)}
spec("group_norm_huge", "group_norm", lambda x, weight, bias: F.group_norm(x, 2, weight, bias, 1e-5), ins,
     grad=list(ins), dtypes=("f64",), num_groups=2, eps=1e-5)

masked = randn(3, 5)
masked[0, 1], masked[1, 0], masked[1, 4] = -INF, -INF, -INF
for label, x in (("normal", randn(3, 5)), ("large", randn(3, 5, scale=300.0)), ("offset", randn(3, 5, offset=1e4)),
                 ("masked", masked), ("all_masked_row", t64([[-INF, -INF, -INF], [1.0, 2.0, 3.0]])),
                 ("nan", t64([[NAN, 1.0, 2.0], [1.0, 2.0, 3.0]])), ("pos_inf", t64([[INF, 1.0, 2.0], [1.0, 2.0, 3.0]])),
                 ("single_class", randn(4, 1))):
    spec(f"log_softmax_{label}", "log_softmax", lambda x: F.log_softmax(x, 1), {"x": x}, grad=["x"])

for reduction in ("mean", "sum", "none"):
    spec(f"mse_loss_{reduction}", "mse_loss", lambda x, target, r=reduction: F.mse_loss(x, target, reduction=r),
         {"x": randn(3, 4), "target": randn(3, 4)}, grad=["x", "target"], reduction=reduction)
    spec(f"mse_loss_special_{reduction}", "mse_loss",
         lambda x, target, r=reduction: F.mse_loss(x, target, reduction=r),
         {"x": t64([INF, 1.0, NAN, -0.0, 1e30, 2.0]), "target": t64([INF, -INF, 0.0, 0.0, -1e30, 2.0])},
         grad=["x", "target"], reduction=reduction)
spec("mse_loss_4d_mean", "mse_loss", lambda x, target: F.mse_loss(x, target), {"x": randn(2, 3, 2, 2),
     "target": randn(2, 3, 2, 2)}, grad=["x", "target"], reduction="mean")

# ---- cross_entropy and nll_loss: int64 class ids (float class probabilities for cross_entropy) ----
def ids(values):
    """Integer values (class ids, indices) for an input named in int64."""
    return torch.tensor(values, dtype=torch.float64)


masked_logits = randn(3, 4)  # target classes 2, 0, 3; every other class of row 2 masked
masked_logits[0, 0], masked_logits[0, 3], masked_logits[1, 1] = -INF, -INF, -INF
masked_logits[2, :3] = -INF
probabilities = torch.softmax(randn(3, 4), 1)
masked_probabilities = t64([[0.0, 0.25, 0.75, 0.0], [0.5, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 1.0]])
CE_GRIDS = {  # label → logits, targets, target is int64
    "classes": (randn(4, 5), ids([1, 0, 4, 1]), True),
    "masked": (masked_logits, ids([2, 0, 3]), True),
    "offset": (randn(3, 4, offset=1e4), ids([3, 1, 0]), True),
    "large": (randn(3, 4, scale=300.0), ids([0, 2, 2]), True),
    "probabilities": (randn(3, 4), probabilities, False),
    "probabilities_masked": (masked_logits, masked_probabilities, False),  # 0·(−inf): PyTorch gives NaN
}
for label, (logits, targets, classes) in CE_GRIDS.items():
    for smoothing in (0.0, 0.1):
        for reduction in ("mean", "sum", "none"):
            spec(f"cross_entropy_{label}_ls{smoothing:g}_{reduction}", "cross_entropy",
                 lambda x, target, ls=smoothing, r=reduction: F.cross_entropy(x, target, label_smoothing=ls, reduction=r),
                 {"x": logits, "target": targets}, grad=["x"] if classes else ["x", "target"],
                 int64=["target"] if classes else [], label_smoothing=smoothing, reduction=reduction)
for reduction in ("mean", "sum", "none"):
    spec(f"cross_entropy_empty_batch_{reduction}", "cross_entropy",
         lambda x, target, r=reduction: F.cross_entropy(x, target, reduction=r),
         {"x": torch.zeros(0, 4, dtype=torch.float64), "target": ids([])}, grad=["x"], int64=["target"],
         label_smoothing=0.0, reduction=reduction)
    for label, log_probs, targets in (("log_probs", torch.log_softmax(randn(4, 5), 1), ids([4, 0, 2, 2])),
                                      ("masked", masked_logits, ids([2, 0, 3]))):
        spec(f"nll_loss_{label}_{reduction}", "nll_loss",
             lambda x, target, r=reduction: F.nll_loss(x, target, reduction=r), {"x": log_probs, "target": targets},
             grad=["x"], int64=["target"], reduction=reduction)

# ---- argmax / argmin (int64 positions; the first on ties, NaN counts as the extreme) ----
ARG_GRIDS = {
    "normal": randn(3, 4),
    "ties": t64([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, 2.0], [-0.0, 0.0, -1.0, -0.0]]),
    "special": t64([[1.0, NAN, 3.0, NAN], [INF, 2.0, INF, -INF], [-INF, -INF, 0.0, 1.0]]),
}
for op, fn in (("argmax", torch.argmax), ("argmin", torch.argmin)):
    for grid, x in ARG_GRIDS.items():
        for label, dim, keepdim in (("all", None, False), ("dim0", 0, False), ("dim1_keep", 1, True), ("dim_m1", -1, False)):
            f = (lambda x, fn=fn: fn(x)) if dim is None else (lambda x, fn=fn, d=dim, k=keepdim: fn(x, d, keepdim=k))
            spec(f"{op}_{grid}_{label}", op, f, {"x": x}, dim=dim, keepdim=keepdim)
    spec(f"{op}_zero_dim", op, lambda x, fn=fn: fn(x, 0), {"x": t64(2.5)}, dim=0, keepdim=False)
    spec(f"{op}_empty_rows", op, lambda x, fn=fn: fn(x, 1), {"x": torch.zeros(0, 3, dtype=torch.float64)}, dim=1,
         keepdim=False)

# ---- index_select and gather (int64 indices; repeated indices add up in the gradient) ----
x34, x_special = randn(3, 4), t64([[1.0, NAN, -INF, 2.0], [INF, -0.0, 3.0, 1e30], [0.5, -1.0, NAN, 4.0]])
for label, x, dim, index in (("dim1_repeated", x34, 1, ids([3, 0, 3, 1])), ("dim0_repeated", x34, 0, ids([2, 2, 0])),
                             ("dim_m1", x34, -1, ids([1])), ("zero_dim_index", x34, 1, ids(2)),
                             ("empty_index", x34, 1, ids([])), ("3d_dim1", randn(2, 3, 4), 1, ids([2, 0, 2, 1, 2])),
                             ("special", x_special, 1, ids([1, 2, 1]))):
    spec(f"index_select_{label}", "index_select", lambda x, index, d=dim: torch.index_select(x, d, index),
         {"x": x, "index": index}, grad=["x"], int64=["index"], dim=dim)
for label, x, dim, index in (("dim1_repeated", x34, 1, ids([[0, 0, 3], [1, 2, 1], [3, 3, 3]])),
                             ("dim0_repeated", x34, 0, ids([[2, 0, 2, 2], [2, 1, 0, 2]])),
                             ("smaller_index", x34, 1, ids([[1, 1], [0, 3]])),
                             ("dim_m1_3d", randn(2, 3, 4), -1, torch.randint(0, 4, (2, 3, 5)).to(torch.float64)),
                             ("special", x_special, 0, ids([[1, 0, 1, 1], [2, 2, 2, 0]]))):
    spec(f"gather_{label}", "gather", lambda x, index, d=dim: torch.gather(x, d, index), {"x": x, "index": index},
         grad=["x"], int64=["index"], dim=dim)

# ---- comparisons: PyTorch's bool masks as 0/1 (lucid holds them in the operands' float dtype, float32
# for int64 operands) ----
COMPARISONS = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}
for op, fn in COMPARISONS.items():
    spec(f"{op}_special", op, lambda a, b, fn=fn: fn(a, b), dict(zip("ab", cross(CROSS, CROSS))))
    spec(f"{op}_broadcast", op, lambda a, b, fn=fn: fn(a, b),
         {"a": t64([[1.0], [2.0], [3.0]]), "b": t64([1.0, 2.0, 3.0, NAN])})
    for label, s in (("one", 1.0), ("zero", 0.0), ("nan", NAN)):
        spec(f"{op}_scalar_{label}", op, lambda a, fn=fn, s=s: fn(a, s), {"a": t64(SPECIAL)},
             scalar="nan" if math.isnan(s) else s)
    spec(f"{op}_int64_broadcast", op, lambda a, b, fn=fn: fn(a, b),
         {"a": ids([[-3, 0, 5, 7]]), "b": ids([[0], [5]])}, dtypes=("f64",), int64=["a", "b"])
    spec(f"{op}_int64_scalar", op, lambda a, fn=fn: fn(a, 2.5), {"a": ids([-3, 2, 3, 7])}, dtypes=("f64",),
         int64=["a"], scalar=2.5)

# ---- .to(int64) of finite floats: truncation toward zero ----
spec("to_int64_truncates", "to_dtype", lambda x: x.to(torch.int64),
     {"x": t64([-2.7, 2.7, -0.5, 0.5, -0.0, 0.0, -1.0, 1.0, 1e10, -1e10, 123456.75, 9e18, -9e18])}, to="int64")

# ---- inputs both PyTorch and lucid reject ----
rejects("add_shapes_not_broadcastable", "add", lambda a, b: a + b, {"a": randn(3, 4), "b": randn(3)})
rejects("matmul_inner_mismatch", "matmul", lambda a, b: a @ b, {"a": randn(3, 4), "b": randn(5, 2)})
rejects("conv2d_channel_mismatch", "conv2d", lambda x, weight: F.conv2d(x, weight),
        {"x": randn(1, 3, 5, 5), "weight": randn(2, 2, 3, 3)}, stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1)
rejects("conv2d_groups_not_dividing", "conv2d", lambda x, weight: F.conv2d(x, weight, groups=2),
        {"x": randn(1, 3, 5, 5), "weight": randn(2, 1, 3, 3)}, stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=2)
rejects("conv2d_kernel_larger_than_input", "conv2d", lambda x, weight: F.conv2d(x, weight),
        {"x": randn(1, 1, 2, 2), "weight": randn(1, 1, 3, 3)}, stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1)
rejects("group_norm_groups_not_dividing", "group_norm", lambda x: F.group_norm(x, 4), {"x": randn(2, 6, 3)},
        num_groups=4, eps=1e-5)
rejects("reshape_wrong_numel", "reshape", lambda x: x.reshape([4, -1]), {"x": randn(2, 3)}, shape=[4, -1])
rejects("permute_repeated_dim", "permute", lambda x: x.permute([0, 0]), {"x": randn(2, 3)}, dims=[0, 0])
rejects("transpose_dim_out_of_range", "transpose", lambda x: x.transpose(0, 2), {"x": randn(2, 3)}, dim0=0, dim1=2)
rejects("sum_dim_out_of_range", "sum", lambda x: x.sum([2]), {"x": randn(2, 3)}, dims=[2], keepdim=False)
rejects("max_pool2d_output_empty", "max_pool2d", lambda x: F.max_pool2d(x, 4), {"x": randn(1, 1, 3, 3)},
        kernel_size=[4, 4], stride=[4, 4], padding=[0, 0])
rejects("mse_loss_shape_mismatch", "mse_loss", lambda x, target: F.mse_loss(x, target),
        {"x": randn(3, 4), "target": randn(4, 3)}, reduction="mean")
rejects("cross_entropy_float_class_ids", "cross_entropy", lambda x, target: F.cross_entropy(x, target),
        {"x": randn(3, 4), "target": ids([0, 1, 2])}, label_smoothing=0.0, reduction="mean")
rejects("cross_entropy_class_id_out_of_range", "cross_entropy", lambda x, target: F.cross_entropy(x, target),
        {"x": randn(3, 4), "target": ids([0, 1, 4])}, int64=["target"], label_smoothing=0.0, reduction="mean")
rejects("cross_entropy_negative_class_id", "cross_entropy", lambda x, target: F.cross_entropy(x, target),
        {"x": randn(3, 4), "target": ids([0, -1, 2])}, int64=["target"], label_smoothing=0.0, reduction="mean")
rejects("cross_entropy_batch_mismatch", "cross_entropy", lambda x, target: F.cross_entropy(x, target),
        {"x": randn(3, 4), "target": ids([0, 1])}, int64=["target"], label_smoothing=0.0, reduction="mean")
rejects("cross_entropy_probabilities_shape_mismatch", "cross_entropy", lambda x, target: F.cross_entropy(x, target),
        {"x": randn(3, 4), "target": torch.softmax(randn(3, 5), 1)}, label_smoothing=0.0, reduction="mean")
rejects("cross_entropy_label_smoothing_above_1", "cross_entropy",
        lambda x, target: F.cross_entropy(x, target, label_smoothing=1.5), {"x": randn(3, 4), "target": ids([0, 1, 2])},
        int64=["target"], label_smoothing=1.5, reduction="mean")
rejects("nll_loss_class_id_out_of_range", "nll_loss", lambda x, target: F.nll_loss(x, target),
        {"x": randn(3, 4), "target": ids([0, 4, 1])}, int64=["target"], reduction="mean")
rejects("nll_loss_float_class_ids", "nll_loss", lambda x, target: F.nll_loss(x, target),
        {"x": randn(3, 4), "target": ids([0, 1, 2])}, reduction="mean")
for label, dim, index in (("out_of_range", 1, [0, 4]), ("negative", 1, [-1]), ("2d_index", 1, [[0, 1]]),
                          ("dim_out_of_range", 2, [0])):
    rejects(f"index_select_{label}", "index_select", lambda x, index, d=dim: torch.index_select(x, d, index),
            {"x": randn(3, 4), "index": ids(index)}, int64=["index"], dim=dim)
rejects("index_select_float_index", "index_select", lambda x, index: torch.index_select(x, 1, index),
        {"x": randn(3, 4), "index": ids([0, 1])}, dim=1)
for label, index in (("out_of_range", [[0, 4]]), ("negative", [[0, -1]]), ("rank_mismatch", [0, 1]),
                     ("index_larger", [[0, 0]] * 4)):
    rejects(f"gather_{label}", "gather", lambda x, index: torch.gather(x, 1, index),
            {"x": randn(3, 4), "index": ids(index)}, int64=["index"], dim=1)
for op, fn in (("argmax", torch.argmax), ("argmin", torch.argmin)):
    rejects(f"{op}_empty_dim", op, lambda x, fn=fn: fn(x, 0), {"x": torch.zeros(0, 3, dtype=torch.float64)}, dim=0,
            keepdim=False)
    rejects(f"{op}_dim_out_of_range", op, lambda x, fn=fn: fn(x, 2), {"x": randn(3, 4)}, dim=2, keepdim=False)
rejects("eq_shapes_not_broadcastable", "eq", lambda a, b: torch.eq(a, b), {"a": randn(3, 4), "b": randn(3)})
rejects("linear_in_features_mismatch", "linear", lambda x, weight: F.linear(x, weight),
        {"x": randn(2, 4), "weight": randn(3, 5)})

# ---- issue 26: the tensor API's elementwise ops and reductions ----
# Their own seed, so the cases above keep their inputs.
torch.manual_seed(26)


def enc(v):
    """An attribute number as JSON: ±inf as strings."""
    return "inf" if v == INF else ("-inf" if v == -INF else v)


NEAR_ZERO = [1e-8, -1e-8, 3e-5, -3e-5, 1e-3, -1e-3, 0.25, -0.25]
HALVES = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -3.75, 1e7 + 0.5, 123.5]
NEW_UNARY = {"log1p": torch.log1p, "expm1": torch.expm1, "sign": torch.sign, "floor": torch.floor,
             "ceil": torch.ceil, "round": torch.round}
for op, fn in NEW_UNARY.items():
    grids = unary_grids(False)
    grids["near_zero"] = t64(NEAR_ZERO)
    grids["halves"] = t64(HALVES)
    if op == "log1p":
        grids["normal"] = grids["normal"].abs() - 0.9  # mostly in the domain x > −1
        grids["near_minus_one"] = t64([-1.0, -0.999, -0.5, -1.5, 1e6, 1e30])
    if op == "expm1":
        grids["large"] = t64([-100.0, -30.0, -15.0, 15.0, 80.0, 88.5, 89.0, 700.0, 710.0, -800.0])
    for grid, x in grids.items():
        spec(f"{op}_{grid}", op, lambda x, fn=fn: fn(x), {"x": x}, grad=["x"])

# clamp_min / clamp_max: the gradient passes where the bound is not active, bound included, never at NaN.
for op, fn in (("clamp_min", torch.clamp_min), ("clamp_max", torch.clamp_max)):
    for label, x, bound in (("normal", randn(3, 4, scale=2.0), 0.5), ("at_bound", at_bounds, 1.0),
                            ("special", t64(SPECIAL), 0.0), ("inf_bound", t64(SPECIAL), -INF)):
        spec(f"{op}_{label}", op, lambda x, fn=fn, b=bound: fn(x, b), {"x": x}, grad=["x"], bound=enc(bound))

# The activations with parameters.
ACTIVATION_GRIDS = {"normal": randn(3, 4, scale=3.0), "special": t64(SPECIAL), "huge": t64(HUGE), "tiny": t64(TINY),
                    "offset": randn(2, 3, offset=1e4), "neg_offset": randn(2, 3, offset=-1e4)}
for label, lo, hi in (("default", -1.0, 1.0), ("wide", -2.0, 6.0), ("min_above_max", 1.0, -1.0)):
    for grid in ("normal", "special"):
        spec(f"hardtanh_{label}_{grid}", "hardtanh", lambda x, lo=lo, hi=hi: F.hardtanh(x, lo, hi),
             {"x": ACTIVATION_GRIDS[grid]}, grad=["x"], min_val=lo, max_val=hi)
spec("hardtanh_at_bounds", "hardtanh", lambda x: F.hardtanh(x, -0.5, 1.0), {"x": at_bounds}, grad=["x"],
     min_val=-0.5, max_val=1.0)
for label, beta, threshold in (("default", 1.0, 20.0), ("beta2", 2.0, 20.0), ("beta_half_t5", 0.5, 5.0)):
    for grid, x in ACTIVATION_GRIDS.items():
        spec(f"softplus_{label}_{grid}", "softplus", lambda x, b=beta, t=threshold: F.softplus(x, b, t), {"x": x},
             grad=["x"], beta=beta, threshold=threshold)
spec("softplus_at_threshold", "softplus", lambda x: F.softplus(x, 2.0, 20.0),
     {"x": t64([9.5, 10.0, 10.5, -10.0, 0.0, 20.0])}, grad=["x"], beta=2.0, threshold=20.0)
for label, slope in (("default", 0.01), ("large", 0.3), ("negative", -0.5)):
    for grid, x in ACTIVATION_GRIDS.items():
        spec(f"leaky_relu_{label}_{grid}", "leaky_relu", lambda x, a=slope: F.leaky_relu(x, a), {"x": x}, grad=["x"],
             negative_slope=slope)
for label, alpha in (("default", 1.0), ("alpha_half", 0.5)):
    for grid, x in ACTIVATION_GRIDS.items():
        spec(f"elu_{label}_{grid}", "elu", lambda x, a=alpha: F.elu(x, a), {"x": x}, grad=["x"], alpha=alpha)
    spec(f"elu_{label}_near_zero", "elu", lambda x, a=alpha: F.elu(x, a), {"x": t64(NEAR_ZERO)}, grad=["x"],
         alpha=alpha)

# where with a scalar, masked_fill (0/1 masks; lucid takes them in the tensor's dtype, PyTorch as bool).
mask34 = t64([[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0]])
for label, cond, x, scalar in (("broadcast_cond", t64([1.0, 0.0, 1.0, 0.0]), randn(3, 4), 0.5),
                               ("broadcast_x", mask34, randn(4), -2.0),
                               ("special", mask34, t64([NAN, INF, -INF, 1.0] * 3).reshape(3, 4), NAN),
                               ("inf_scalar", mask34, randn(3, 4), -INF)):
    spec(f"where_else_scalar_{label}", "where_else_scalar", lambda cond, a, v=scalar: torch.where(cond > 0.5, a, v),
         {"cond": cond, "a": x}, grad=["a"], scalar=enc(scalar) if not math.isnan(scalar) else "nan")
    spec(f"where_then_scalar_{label}", "where_then_scalar", lambda cond, b, v=scalar: torch.where(cond > 0.5, v, b),
         {"cond": cond, "b": x}, grad=["b"], scalar=enc(scalar) if not math.isnan(scalar) else "nan")
    spec(f"masked_fill_{label}", "masked_fill", lambda x, mask, v=scalar: x.masked_fill(mask > 0.5, v),
         {"x": x, "mask": cond}, grad=["x"], value=enc(scalar) if not math.isnan(scalar) else "nan")

# softmax / log_softmax over any dim; large offsets, ±inf, NaN, all −inf slices.
# (2, 3, 5): no slice has a stride that is a multiple of 12, the period of the upstream gradient (a constant
# gradient along a slice makes softmax's input gradient 0, leaving only rounding noise to compare).
SOFTMAX_GRIDS = {
    "normal": randn(2, 3, 5), "large": randn(2, 3, 5, scale=300.0), "offset": randn(2, 3, 5, offset=1e4),
    "special": t64([[-INF, 1.0, 2.0, 0.5], [-INF, -INF, -INF, -INF], [NAN, 1.0, 2.0, 3.0], [INF, 1.0, -INF, 0.0]]),
    "ties": t64([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 5.0, 5.0]]),
}
for op, fn in (("softmax", torch.softmax), ("log_softmax_dim", torch.log_softmax)):
    for grid, x in SOFTMAX_GRIDS.items():
        for d in range(-1, x.dim()):
            spec(f"{op}_{grid}_dim{d}", op, lambda x, fn=fn, d=d: fn(x, d), {"x": x}, grad=["x"], dim=d)
    spec(f"{op}_zero_dim", op, lambda x, fn=fn: fn(x, 0), {"x": t64(0.7)}, grad=["x"], dim=0)
    spec(f"{op}_empty", op, lambda x, fn=fn: fn(x, 1), {"x": torch.zeros(0, 3, dtype=torch.float64)}, grad=["x"], dim=1)

# amax / amin / logsumexp / var / std / prod over dims; max()/min(); max/min along a dim with indices.
STAT_GRIDS = {
    "normal": randn(2, 3, 4),
    "special": t64([[1.0, INF, 2.0, 3.0], [-INF, 1.0, INF, 0.0], [NAN, 0.0, 1.0, 2.0], [0.5, -1.5, 2.0, -0.0]]),
    "ties": t64([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, -1.0, 5.0]]),
    "offset": randn(4, 6, offset=1e4),
}
DIMS = (("all", None, False), ("dim1", [1], False), ("dim0_keep", [0], True), ("last_keep", [-1], True))
for op, fn in (("amax", torch.amax), ("amin", torch.amin), ("logsumexp", torch.logsumexp)):
    for grid, x in STAT_GRIDS.items():
        for label, dims, keepdim in DIMS:
            if dims is None and op == "logsumexp":
                dims_arg = list(range(x.dim()))
            else:
                dims_arg = dims
            f = (lambda x, fn=fn: fn(x)) if dims_arg is None else (lambda x, fn=fn, d=dims_arg, k=keepdim: fn(x, d, k))
            spec(f"{op}_{grid}_{label}", op, f, {"x": x}, grad=["x"], dims=dims_arg, keepdim=keepdim)
    spec(f"{op}_dims02", op, lambda x, fn=fn: fn(x, [0, 2], True), {"x": STAT_GRIDS["normal"]}, grad=["x"],
         dims=[0, 2], keepdim=True)
spec("logsumexp_large", "logsumexp", lambda x: torch.logsumexp(x, [1]), {"x": randn(3, 5, scale=300.0)}, grad=["x"],
     dims=[1], keepdim=False)
spec("logsumexp_huge", "logsumexp", lambda x: torch.logsumexp(x, [1]), {"x": t64([[3e38, 3e38], [1e30, -2e30]])},
     grad=["x"], dims=[1], keepdim=False)
spec("logsumexp_all_minus_inf", "logsumexp", lambda x: torch.logsumexp(x, [1]),
     {"x": t64([[-INF, -INF], [1.0, -INF]])}, grad=["x"], dims=[1], keepdim=False)
for op, fn in (("max_all", torch.max), ("min_all", torch.min)):
    for grid, x in (("normal", STAT_GRIDS["normal"]), ("ties", STAT_GRIDS["ties"]), ("special", t64(SPECIAL)),
                    ("nan_ties", t64([1.0, NAN, 3.0, NAN])), ("no_nan", t64([1.0, INF, -INF, 2.0])),
                    ("zero_dim", t64(2.5))):
        spec(f"{op}_{grid}", op, lambda x, fn=fn: fn(x), {"x": x}, grad=["x"])
for op, fn in (("max_dim", torch.max), ("min_dim", torch.min)):
    for grid, x in STAT_GRIDS.items():
        for d, keepdim in ((1, False), (-1, True), (0, False)):
            spec(f"{op}_{grid}_{d}_{keepdim}", op, lambda x, fn=fn, d=d, k=keepdim: fn(x, d, k).values, {"x": x},
                 grad=["x"], dim=d, keepdim=keepdim)
            spec(f"{op}_indices_{grid}_{d}_{keepdim}", op + "_indices",
                 lambda x, fn=fn, d=d, k=keepdim: fn(x, d, k).indices, {"x": x}, dim=d, keepdim=keepdim)
    spec(f"{op}_zero_dim", op, lambda x, fn=fn: fn(x, 0).values, {"x": t64(1.5)}, grad=["x"], dim=0, keepdim=False)
    spec(f"{op}_indices_zero_dim", op + "_indices", lambda x, fn=fn: fn(x, 0).indices, {"x": t64(1.5)}, dim=0,
         keepdim=False)
for op, fn in (("var", torch.var), ("std", torch.std)):
    for grid in ("normal", "special", "offset"):
        for label, dims, keepdim in DIMS:
            for correction in (1, 0):
                f = ((lambda x, fn=fn, c=correction: fn(x, None, correction=c)) if dims is None else
                     (lambda x, fn=fn, d=dims, k=keepdim, c=correction: fn(x, d, correction=c, keepdim=k)))
                spec(f"{op}_{grid}_{label}_c{correction}", op, f, {"x": STAT_GRIDS[grid]}, grad=["x"], dims=dims,
                     keepdim=keepdim, correction=correction)
    spec(f"{op}_constant_rows", op, lambda x, fn=fn: fn(x, [1]), {"x": t64([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])},
         grad=["x"], dims=[1], keepdim=False, correction=1)
    spec(f"{op}_single_element", op, lambda x, fn=fn: fn(x, [1]), {"x": randn(3, 1)}, grad=["x"], dims=[1],
         keepdim=False, correction=1)
    spec(f"{op}_correction2", op, lambda x, fn=fn: fn(x, [1], correction=2), {"x": randn(3, 5)}, grad=["x"], dims=[1],
         keepdim=False, correction=2)
for grid, x in (("normal", randn(3, 4)), ("zeros", torch.zeros(2, 3, dtype=torch.float64)), ("special", t64(SPECIAL)),
                ("huge", t64(HUGE)), ("tiny", t64(TINY)), ("zero_dim", t64(-3.0)), ("offset", randn(6, offset=1e4))):
    spec(f"norm_{grid}", "norm", lambda x: torch.linalg.vector_norm(x), {"x": x}, grad=["x"])
# norm(p, dims, keepdim): PyTorch's vector_norm, its gradient 0 where the norm is 0 (for p < 1, sign(x)·|x|^(p − 1)
# is 0·inf = NaN at x = 0 in both libraries).
norm_zeros = t64([[0.0, 0.0, 0.0], [1.5, 0.0, -2.0], [-0.5, 3.0, 1.0]])
for p in (2.0, 1.0, 3.0, 1.5, 0.5, INF, -INF, 0.0):
    for grid, x in (("normal", randn(3, 4)), ("zeros", norm_zeros), ("special", STAT_GRIDS["special"])):
        for label, dims, keepdim in (("all", None, False), ("dim1", [1], False), ("dim0_keep", [0], True)):
            spec(f"norm_p{p:g}_{grid}_{label}", "norm_p",
                 lambda x, p=p, d=dims, k=keepdim: torch.linalg.vector_norm(x, p, d, k), {"x": x}, grad=["x"],
                 p=enc(p), dims=dims, keepdim=keepdim)
for grid, x in (("normal", randn(2, 3, 4)), ("special", STAT_GRIDS["special"]), ("offset", randn(3, 5, offset=1e4))):
    for d in range(-1, x.dim()):
        spec(f"cumsum_{grid}_dim{d}", "cumsum", lambda x, d=d: torch.cumsum(x, d), {"x": x}, grad=["x"], dim=d)
spec("cumsum_zero_dim", "cumsum", lambda x: torch.cumsum(x, 0), {"x": t64(1.25)}, grad=["x"], dim=0)


def prod_over(x, dims, keepdim):
    """torch.prod over several dims (it takes one): one at a time, highest first."""
    if dims is None:
        return torch.prod(x)
    for d in sorted((d % x.dim() for d in dims), reverse=True):
        x = torch.prod(x, d, keepdim=keepdim)
    return x


zeros_grid = t64([[2.0, 0.0, 3.0, 1.5], [0.0, 0.0, 2.0, 1.0], [1.0, 2.0, -3.0, 0.5]])
for grid, x in (("normal", randn(2, 3, 4)), ("zeros", zeros_grid), ("special", STAT_GRIDS["special"]),
                ("one_zero_all", t64([2.0, 0.0, 3.0, -1.5])), ("two_zeros_all", t64([2.0, 0.0, 3.0, 0.0]))):
    for label, dims, keepdim in DIMS + (("dims01", [0, 1], False),):
        if x.dim() == 1 and dims is not None and (1 in dims or 0 in dims and keepdim):
            continue
        spec(f"prod_{grid}_{label}", "prod", lambda x, d=dims, k=keepdim: prod_over(x, d, k), {"x": x}, grad=["x"],
             dims=dims, keepdim=keepdim)
spec("prod_empty_dim", "prod", lambda x: prod_over(x, [1], False), {"x": torch.zeros(2, 0, dtype=torch.float64)},
     grad=["x"], dims=[1], keepdim=False)

# One-dimension overloads: sum(x, 1), mean(x, 1, true).
for op, fn in (("sum_one_dim", torch.sum), ("mean_one_dim", torch.mean)):
    for d, keepdim in ((1, False), (-1, True), (0, True)):
        spec(f"{op}_{d}_{keepdim}", op, lambda x, fn=fn, d=d, k=keepdim: fn(x, d, keepdim=k), {"x": randn(2, 3, 4)},
             grad=["x"], dim=d, keepdim=keepdim)

# Inputs both libraries reject.
for op, fn in (("amax", torch.amax), ("amin", torch.amin)):
    rejects(f"{op}_empty_dim", op, lambda x, fn=fn: fn(x, [1]), {"x": torch.zeros(2, 0, dtype=torch.float64)},
            dims=[1], keepdim=False)
    rejects(f"{op}_dim_out_of_range", op, lambda x, fn=fn: fn(x, [2]), {"x": randn(2, 3)}, dims=[2], keepdim=False)
for op, fn in (("max_all", torch.max), ("min_all", torch.min)):
    rejects(f"{op}_empty", op, lambda x, fn=fn: fn(x), {"x": torch.zeros(0, 3, dtype=torch.float64)})
for op, fn in (("max_dim", torch.max), ("min_dim", torch.min)):
    rejects(f"{op}_empty_dim", op, lambda x, fn=fn: fn(x, 0), {"x": torch.zeros(0, 3, dtype=torch.float64)}, dim=0,
            keepdim=False)
    rejects(f"{op}_dim_out_of_range", op, lambda x, fn=fn: fn(x, 2), {"x": randn(2, 3)}, dim=2, keepdim=False)
for op, fn in (("softmax", torch.softmax), ("log_softmax_dim", torch.log_softmax)):
    rejects(f"{op}_dim_out_of_range", op, lambda x, fn=fn: fn(x, 2), {"x": randn(2, 3)}, dim=2)
rejects("cumsum_dim_out_of_range", "cumsum", lambda x: torch.cumsum(x, -3), {"x": randn(2, 3)}, dim=-3)
rejects("logsumexp_dim_out_of_range", "logsumexp", lambda x: torch.logsumexp(x, [2]), {"x": randn(2, 3)}, dims=[2],
        keepdim=False)
rejects("var_dim_out_of_range", "var", lambda x: torch.var(x, [3]), {"x": randn(2, 3)}, dims=[3], keepdim=False,
        correction=1)
rejects("prod_dim_out_of_range", "prod", lambda x: torch.prod(x, 2), {"x": randn(2, 3)}, dims=[2], keepdim=False)
rejects("masked_fill_not_broadcastable", "masked_fill", lambda x, mask: x.masked_fill(mask > 0.5, 1.0),
        {"x": randn(2, 3), "mask": t64([1.0, 0.0])}, value=1.0)
rejects("where_else_scalar_not_broadcastable", "where_else_scalar", lambda cond, a: torch.where(cond > 0.5, a, 0.0),
        {"cond": t64([1.0, 0.0]), "a": randn(2, 3)}, scalar=0.0)

# sin and cos (after the older cases, so their random draws stay as they were): the usual grids plus
# arguments around Highway's valid range |x| ≤ 39000, beyond which lucid takes std::sin / std::cos.
for op, fn in (("sin", torch.sin), ("cos", torch.cos)):
    grids = unary_grids(False)
    grids["large"] = t64([38999.5, -39000.0, 39001.25, 1e5 + 0.3, -123456.7, 1e7, 3e8, -2.5e15])
    grids["multiples_of_half_pi"] = t64([k * math.pi / 2 for k in range(-8, 9)])
    for grid, x in grids.items():
        spec(f"{op}_{grid}", op, lambda x, fn=fn: fn(x), {"x": x}, grad=["x"])

write("differential.json", cases, compact=True, source=
      "tests/golden/make_differential_golden.py: every public op in float32 and float64 over shapes, broadcasts "
      "and extreme values; PyTorch float64 references (float32's non-finite values), backward of <gy, y>")
