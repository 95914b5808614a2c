// Data-movement kernels (no autograd): permuting dimensions, expanding by broadcasting, dtype casts,
// copies and fills.
#pragma once

#include <cstdint>
#include <vector>

#include "framework/tensor.h"

namespace lucid::kernels {

// out[i_perm[0], ..., i_perm[k]] = x[i_0, ..., i_k]: out dimension j is x's dimension perm[j].
Tensor permute_copy(const Tensor& x, const std::vector<std::size_t>& perm);
// x repeated along its size-1 (or missing leading) dimensions to fill `shape`.
Tensor expand_copy(const Tensor& x, const Shape& shape);
// x's values converted to dtype (to int64: truncated toward zero; ValueError for NaN, ±inf or a value
// out of int64's range).
Tensor cast(const Tensor& x, DType dtype);
// dst[i] = src[i] converted to dst's dtype (same shape), and dst[i] = value. Raw writes: no autograd,
// no version bump (Tensor::copy_ / fill_ add those).
void copy_into(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, double value);

}  // namespace lucid::kernels
