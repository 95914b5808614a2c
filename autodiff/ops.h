// Differentiable ops as free functions (Tensor's methods and operators call these). Each checks its
// arguments (ValueError naming the values), computes with a kernel from framework/kernels, and
// records a graph node when grad mode is on and an input requires grad.
#pragma once

#include <cstdint>
#include <vector>

#include "framework/tensor.h"

namespace lucid {

// Elementwise with NumPy broadcasting; operands must share a dtype.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
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

Tensor clone(const Tensor& x);
Tensor to_dtype(const Tensor& x, DType dtype);

}  // namespace lucid
