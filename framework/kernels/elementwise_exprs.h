// The expressions behind lucid's fused elementwise ops. Each is a type; its kernels (forward and the
// gradient for each input) are generated in the *_kernels.cc files, and the autodiff layer uses
// the same type to record the backward when create_graph asks for a differentiable one.
#pragma once

#include "framework/expr/expr.h"

namespace lucid::kernels::exprs {

namespace e = lucid::expr;
inline constexpr auto x = e::stream<0>;
inline constexpr auto y = e::stream<1>;
inline constexpr auto s = e::scalar<0>;

// Two tensors of one shape (after broadcasting).
using Add = decltype(x + y);
using Sub = decltype(x - y);
using Mul = decltype(x * y);
using Div = decltype(x / y);
using Maximum = decltype(e::max(x, y));
using Minimum = decltype(e::min(x, y));
// A tensor and a scalar s.
using AddScalar = decltype(x + s);
using MulScalar = decltype(x * s);
using DivScalar = decltype(x / s);
using ScalarSub = decltype(s - x);
using ScalarDiv = decltype(s / x);
// clamp(x, lo = s₀, hi = s₁) = min(max(x, lo), hi), as PyTorch: hi everywhere when lo > hi, NaN at NaN.
// The gradient passes where lo ≤ x ≤ hi (bounds included, false at NaN and when lo > hi); x·0 keeps a
// NaN's value without passing its gradient.
using ClampBelow = decltype(e::select(s <= x, x, e::select(x < s, s, x * e::Zero{})));  // max(x, lo)
using Clamp = decltype(e::select(ClampBelow{} > e::scalar<1>, e::scalar<1>, ClampBelow{}));
// clamp_min(x, lo = s) = max(x, lo) and clamp_max(x, hi = s) = min(x, hi), as PyTorch: NaN stays NaN, the
// gradient passes where x ≥ lo (x ≤ hi), bounds included, never at NaN.
using ClampMin = ClampBelow;
using ClampMax = decltype(e::select(x <= s, x, e::select(s < x, s, x * e::Zero{})));
// hardtanh(x, lo = s₀, hi = s₁): clamp's value (hi everywhere when lo > hi), but the gradient passes only
// strictly inside (lo < x < hi) and at NaN, as PyTorch's hardtanh_backward.
using Hardtanh = decltype(e::select(x <= s, e::min(s, e::scalar<1>), e::select(e::scalar<1> <= x, e::scalar<1>, x)));
// softplus(x, β = s₀, threshold = s₁) = ln(1 + e^(βx))/β, and x once βx > threshold (PyTorch's linear
// regime); gradient σ(βx) below the threshold, 1 above.
using Softplus = decltype(e::select(e::scalar<1> < x * s, x, e::log1p(e::exp(x * s)) / s));
// leaky_relu(x, slope = s) = x for x > 0, slope·x otherwise (NaN: slope·NaN); gradient 1 or slope.
using LeakyRelu = decltype(e::select(x > e::Zero{}, x, x * s));
// elu(x, α = s) = α(eˣ − 1) for x ≤ 0, x otherwise (NaN takes the x branch and passes the gradient, as
// PyTorch); gradient αeˣ or 1.
using Elu = decltype(e::select(x <= e::Zero{}, s * e::expm1(x), x));
// The unary ops of unary_ops.inc.
#define LUCID_UNARY_OP(name, Name, group, ...) using Name = decltype(__VA_ARGS__);
#include "framework/kernels/unary_ops.inc"
// where(c, y, z): y where c > ½ (c holds 0/1), else z; no gradient flows into c.
using Where = decltype(e::select(x > e::constant<0.5>, y, e::stream<2>));
// where(c, y, s) and where(c, s, y) with a scalar s (masked_fill(y, c, s) is the second).
using WhereElseScalar = decltype(e::select(x > e::constant<0.5>, y, s));
using WhereThenScalar = decltype(e::select(x > e::constant<0.5>, s, y));

}  // namespace lucid::kernels::exprs
