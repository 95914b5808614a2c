// Differentiable ops as free functions (Tensor's methods and operators call these). Each checks its
// arguments (ValueError naming the values), computes with a kernel from framework/kernels, and
// records a graph node when grad mode is on and an input requires grad.
#pragma once

#include <concepts>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include "framework/indexing.h"
#include "framework/tensor.h"

namespace lucid {

// Elementwise, each one fused SIMD kernel generated from an expression (framework/expr), with its
// backward derived from the same expression. Tensor operands broadcast by NumPy rules; operands of
// different dtypes promote by PyTorch's rules (float32 ⊕ float64 → float64; a 0-d tensor does not
// promote a dimensioned one of the same category), each gradient in its input's dtype; a double
// operand is a scalar of the tensor's dtype.
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
// The scalar forms: a scalar of the tensor's dtype on one side. condition is converted to the tensor's
// dtype (a 0/1 mask of any dtype, int64 included) and broadcasts with it.
Tensor where(const Tensor& condition, const Tensor& a, double b);
Tensor where(const Tensor& condition, double a, const Tensor& b);
// value where mask > ½, else x (PyTorch's masked_fill with a 0/1 mask of any dtype; mask and x broadcast,
// as PyTorch's out-of-place form); no gradient where filled, none to mask.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
// neg, abs, exp, log, sqrt, rsqrt, erf, log1p, expm1, sin, cos, sign, floor, ceil, round, relu, sigmoid, tanh, silu, gelu, gelu_tanh: one per line of
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
// max(x, min) and min(x, max), as clamp with one bound: NaN stays NaN, the gradient passes where the
// bound is not active (the bound itself included), never at NaN.
Tensor clamp_min(const Tensor& x, double min);
Tensor clamp_max(const Tensor& x, double max);
// PyTorch's activations with parameters, fused like the unary ops (elementwise_exprs.h gives the
// formulas and the NaN and boundary rules of each gradient):
// hardtanh: clamp's value; the gradient passes only where min_val < x < max_val.
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
// ln(1 + e^(βx))/β, and x where βx > threshold.
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
// x for x > 0, else negative_slope·x.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
// x for x > 0, else α(eˣ − 1).
Tensor elu(const Tensor& x, double alpha = 1.0);
// xᵖ (std::pow per element, ±½ through sqrt as PyTorch: pow(−0, ½) = −0, pow(−inf, ½) = NaN; not fused).
Tensor pow(const Tensor& x, double exponent);

// Comparisons (==, !=, <, <=, >, >=): 1 where the relation holds, else 0, held in the operands'
// (promoted) dtype when it is floating (a mask multiplies them and feeds where() directly) and in
// float32 for int64 operands. Not differentiable: constants to the graph. Tensor operands broadcast and
// promote as the elementwise ops'; a double operand is compared as double. NaN compares unequal to everything.
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
// One-dimension forms: sum(x, 1), mean(x, 1, true). A template so that a braced list, sum(x, {1}) or
// sum(x, {}), still picks the dims-list form above.
template <std::integral I>
Tensor sum(const Tensor& x, I dim, bool keepdim = false) {
  return sum(x, std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
}
template <std::integral I>
Tensor mean(const Tensor& x, I dim, bool keepdim = false) {
  return mean(x, std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
}
// Largest / smallest element over dims (all when empty), NaN if the slice holds one; the gradient is
// split evenly among the elements equal to the result (PyTorch's amax/amin). ValueError for a reduced
// dimension of size 0.
Tensor amax(const Tensor& x, const std::vector<std::int64_t>& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<std::int64_t>& dims = {}, bool keepdim = false);
// max()/min() over all elements: as amax/amin, except that a NaN result sends the gradient evenly to
// the NaN elements (PyTorch's max()). ValueError for an empty tensor.
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
// (values, int64 indices) along dim: the first extreme on ties, the first NaN if there is one, as
// PyTorch's CPU max(dim); the gradient goes to the chosen element only.
std::tuple<Tensor, Tensor> max(const Tensor& x, std::int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& x, std::int64_t dim, bool keepdim = false);
// ln Σ exp(x) over dims, computed around the slice's maximum (finite maxima only, as PyTorch), so large
// offsets neither overflow nor lose the small terms; −inf for an empty slice.
Tensor logsumexp(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
// exp(x − max)/Σ exp(x − max) and its logarithm along dim (negative allowed); a slice with +inf, or
// only −inf, gives NaN, as PyTorch.
Tensor softmax(const Tensor& x, std::int64_t dim);
Tensor log_softmax(const Tensor& x, std::int64_t dim);
// Σ(x − mean)²/max(0, N − correction) over dims (all when empty), N the number of reduced elements
// (PyTorch's var: correction = 1 is Bessel's, 0 the population variance); std is its square root.
Tensor var(const Tensor& x, const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false);
Tensor std(const Tensor& x, const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false);
// √Σx² over all elements; the gradient x/‖x‖ is 0 where ‖x‖ = 0 (PyTorch's).
Tensor norm(const Tensor& x);
// ‖x‖_p over dims (all when empty), PyTorch's vector_norm: p = 2 as above, 1 (Σ|x|, gradient sign(x)),
// ±inf (the largest / smallest |x|, the gradient split among ties, 0 when the norm is NaN), 0 (the count of nonzeros, gradient 0),
// other p (Σ|x|ᵖ)^(1/p) with PyTorch's gradient, 0 where the norm is 0. ValueError for p = NaN.
Tensor norm(const Tensor& x, double p, const std::vector<std::int64_t>& dims = {}, bool keepdim = false);
// Running sums along dim (accumulated in float64, as PyTorch's CPU cumsum).
Tensor cumsum(const Tensor& x, std::int64_t dim);
// Π over dims (all when empty; 1 for an empty slice). The gradient Π of the other elements is formed
// without dividing, so zeros in x give PyTorch's gradients.
Tensor prod(const Tensor& x, const std::vector<std::int64_t>& dims = {}, bool keepdim = false);
// Sums x down to `shape`, the inverse of broadcasting (x's shape must be a broadcast of `shape`).
Tensor sum_to(const Tensor& x, const Shape& shape);
// Broadcasts x to `shape` (a copy; differentiable).
Tensor expand(const Tensor& x, const Shape& shape);

// Shape ops.
// reshape: one size may be -1 (inferred); x.reshape(y.shape()) works too (IntList).
Tensor reshape(const Tensor& x, IntList shape);
// permute / transpose: views with x's dimensions reordered (strides too), as PyTorch's.
Tensor permute(const Tensor& x, IntList dims);
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);
// Slicing and joining, PyTorch's semantics. narrow: `length` slices from `start` along dim (a negative
// start counts from the end); select: one slice, dim removed; slice(dim, start, end, step): start and
// end clamped to the size, negative ones from the end. These are strided views sharing x's storage
// (a write through one changes x, and in grad mode rebases x's history); gradients flow back into the
// slices' places.
Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length);
Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index);
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step = 1);
// Pieces of split_size along dim (the last may be smaller); chunk: `chunks` pieces of ⌈size/chunks⌉.
std::vector<Tensor> split(const Tensor& x, std::int64_t split_size, std::int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, std::int64_t chunks, std::int64_t dim = 0);
// Joined along an existing dim (cat; operands promote as the elementwise ops') or a new one (stack).
Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim = 0);
// Views sharing storage: a size-1 dimension added or removed (of any tensor), dims start..end merged
// (a view of a contiguous tensor, else a copy, as reshape).
Tensor unsqueeze(const Tensor& x, std::int64_t dim);
Tensor squeeze(const Tensor& x, std::int64_t dim);
Tensor squeeze(const Tensor& x);
Tensor flatten(const Tensor& x, std::int64_t start_dim = 0, std::int64_t end_dim = -1);
// The transpose of a matrix (a view); a 0-d or 1-d tensor as it is.
Tensor t(const Tensor& x);
// LibTorch's x.index({...}) and x.index_put_({...}, values) (framework/indexing.h): integers, Slices,
// None and Ellipsis give a view; int64 and 0/1 mask tensors copy (PyTorch's advanced indexing).
// index_put_ writes into x (through the view for basic entries; values broadcast to the indexed shape
// and convert to x's dtype), counted by x's version and, in grad mode, recorded as in-place ops are.
Tensor index(const Tensor& x, std::span<const indexing::TensorIndex> indices);
Tensor& index_put_(Tensor& x, std::span<const indexing::TensorIndex> indices, const Tensor& values);

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
