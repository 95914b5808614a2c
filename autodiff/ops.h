// Differentiable ops as free functions (Tensor's methods and operators call these). Each checks its
// arguments (ValueError naming the values), computes with a kernel from framework/kernels, and
// records a graph node when grad mode is on and an input requires grad.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "framework/tensor.h"

namespace lucid {

// Elementwise, each one fused SIMD kernel generated from an expression (framework/expr), with its
// backward derived from the same expression. Tensor operands broadcast by NumPy rules and must
// share a dtype; a double operand is a scalar of the tensor's dtype.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double b);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
Tensor sub(double a, const Tensor& b);
Tensor div(double a, const Tensor& b);
// The larger / smaller of a and b, NaN if either is NaN. Gradient as PyTorch: all of it to the chosen
// operand, half to each on a tie, all of it to both where either is NaN.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
// a where condition > ½ (condition holds 0/1, e.g. from greater), else b; no gradient to condition.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
// neg, abs, exp, log, sqrt, rsqrt, erf, relu, sigmoid, tanh, silu, gelu, gelu_tanh: one per line of
// framework/kernels/unary_ops.inc, which gives each formula.
#define LUCID_UNARY_OP(name, Name, group, ...) Tensor name(const Tensor& x);
#include "framework/kernels/unary_ops.inc"
// PyTorch's gelu(x, approximate): the exact ½x(1 + erf(x/√2)) for "none" (= gelu(x)), the tanh form
// for "tanh" (= gelu_tanh(x)); ValueError naming any other value.
Tensor gelu(const Tensor& x, std::string_view approximate);
namespace detail {
// The check gelu(x, approximate) and nn::GELU's constructor run.
void check_gelu_approximate(std::string_view approximate);
}  // namespace detail
// min(max(x, min), max); the gradient passes where min ≤ x ≤ max (bounds included, as PyTorch).
Tensor clamp(const Tensor& x, double min, double max);
// xᵖ (std::pow per element, ±½ through sqrt as PyTorch: pow(−0, ½) = −0, pow(−inf, ½) = NaN; not fused).
Tensor pow(const Tensor& x, double exponent);
// a > b as 0/1 values of a's dtype; not differentiable (a constant to the graph).
Tensor greater(const Tensor& a, const Tensor& b);

// Reductions. dims may be negative; an empty dims list reduces over all dimensions.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
// Sums x down to `shape`, the inverse of broadcasting (x's shape must be a broadcast of `shape`).
Tensor sum_to(const Tensor& x, const Shape& shape);
// Broadcasts x to `shape` (a copy; differentiable).
Tensor expand(const Tensor& x, const Shape& shape);

// Shape ops.
Tensor reshape(const Tensor& x, const std::vector<std::int64_t>& shape);
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims);
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);

// (M×K)·(K×N) → (M×N) through BLAS.
Tensor matmul(const Tensor& a, const Tensor& b);
// op(A)·op(B), op(X) = Xᵀ when its flag is set: the flags go to the GEMM, so no transposed copy is
// made, forward or backward (mm(x, w, false, true) is x·wᵀ, a Linear layer's product).
Tensor mm(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

Tensor clone(const Tensor& x);
Tensor to_dtype(const Tensor& x, DType dtype);

}  // namespace lucid
