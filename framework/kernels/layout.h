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
// Copies `length` slices along dimension dim, from `from` (slices from_start, ...) into `to` (slices
// to_start, ...): the two share a dtype and all other sizes. narrow, its adjoint and cat are this copy.
void copy_slices(const Tensor& from, std::int64_t from_start, const Tensor& to, std::int64_t to_start,
                 std::size_t dim, std::int64_t length);

}  // namespace lucid::kernels
