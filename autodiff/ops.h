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
// min(max(x, min), max), as PyTorch: NaN stays NaN, and min > max gives max everywhere. The gradient
// passes where min ≤ x ≤ max (bounds included), so it is 0 at NaN and everywhere when min > max.
// x.clamp_(min, max) computes the same in place.
Tensor clamp(const Tensor& x, double min, double max);
// xᵖ (std::pow per element, ±½ through sqrt as PyTorch: pow(−0, ½) = −0, pow(−inf, ½) = NaN; not fused).
Tensor pow(const Tensor& x, double exponent);

// Comparisons (==, !=, <, <=, >, >=): 1 where the relation holds, else 0, held in the operands' dtype
// when it is floating (a mask multiplies them and feeds where() directly) and in float32 for int64
// operands. Not differentiable: constants to the graph. Tensor operands broadcast and share a dtype;
// a double operand is compared as double. NaN compares unequal to everything.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);
// PyTorch's alias of gt.
inline Tensor greater(const Tensor& a, const Tensor& b) { return gt(a, b); }

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
// reshape: one size may be -1 (inferred); x.reshape(y.shape()) works too (IntList).
Tensor reshape(const Tensor& x, IntList shape);
Tensor permute(const Tensor& x, IntList dims);
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);

// Matrix products through BLAS, PyTorch's torch.matmul: 1-D·1-D is the dot product (0-d); 2-D·2-D
// (M×K)·(K×N) → (M×N); a 1-D operand is a row (left) or column (right) vector whose dimension the
// result drops; with more dimensions the leading ones are batch dimensions that broadcast, e.g.
// (B, H, T, d)·(B, H, d, T) → (B, H, T, T), (B, T, K)·(K, N) → (B, T, N).
Tensor matmul(const Tensor& a, const Tensor& b);
// (B×M×K)·(B×K×N) → (B×M×N), both exactly 3-D with the same B (no broadcasting, as torch.bmm).
Tensor bmm(const Tensor& a, const Tensor& b);
// β·input + α·bmm(batch1, batch2), input broadcast to the product's shape; with β = 0 input is ignored.
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, double beta = 1.0, double alpha = 1.0);
// The outer product of two 1-D tensors: (N)⊗(M) → (N×M).
Tensor outer(const Tensor& a, const Tensor& b);
// op(A)·op(B), op(X) = Xᵀ when its flag is set: the flags go to the GEMM, so no transposed copy is
// made, forward or backward (mm(x, w, false, true) is x·wᵀ, a Linear layer's product).
Tensor mm(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

// Indices (int64). argmax/argmin: the position of the largest / smallest value along dim (over all
// elements, flattened, without dim), the first on ties; a NaN counts as the extreme, as in PyTorch.
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim = false);
// x's slices along dim at the positions in index (0-d or 1-D int64, each in [0, x.size(dim))).
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index);
// out[i] = x[i with its coordinate along dim replaced by index[i]]; index is int64 with x's rank and
// no larger than x in the other dimensions; out has index's shape (torch.gather).
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index);

Tensor clone(const Tensor& x);
Tensor to_dtype(const Tensor& x, DType dtype);

}  // namespace lucid
