// Index kernels (no autograd): arg-extremes along a dimension, and selecting / gathering by int64
// index tensors with their adjoints (index_add, scatter_add), which the backward passes use.
// Indices are checked against the indexed extent first: ValueError names the offending value.
#pragma once

#include <cstddef>
#include <vector>

#include "framework/tensor.h"

namespace lucid::kernels {

// int64 tensor of x's shape with dimension `dim` dropped: the position along `dim` of the largest
// (largest = true) or smallest value, the first one on ties; a NaN counts as the extreme (PyTorch).
Tensor arg_extreme(const char* op, const Tensor& x, std::size_t dim, bool largest);

// out[a, j, b] = x[a, index[j], b] along `dim` (index: 1-D int64); out's size along dim is index's.
Tensor index_select(const char* op, const Tensor& x, std::size_t dim, const Tensor& index);
// The adjoint of index_select: zeros of `shape` with out[a, index[j], b] += g[a, j, b].
Tensor index_add_to_zeros(const Tensor& g, std::size_t dim, const Tensor& index, const Shape& shape);

// x with its rows replaced: out[index[j], b] = src[j, b] along dimension 0 (index: 1-D int64; src:
// x's shape with index.numel() rows; a repeated index takes its last row).
Tensor index_copy_rows(const char* op, const Tensor& x, const Tensor& index, const Tensor& src);

// The coordinates of the 1s of a 0/1 mask (any floating dtype): one 1-D int64 tensor per dimension of
// mask, in row-major order of the positions. ValueError for a value other than 0 and 1.
std::vector<Tensor> mask_positions(const char* op, const Tensor& mask);

// out[i] = x[i with its `dim` coordinate replaced by index[i]] (index: int64 of x's rank whose
// other sizes do not exceed x's); out has index's shape.
Tensor gather(const char* op, const Tensor& x, std::size_t dim, const Tensor& index);
// The adjoint of gather: zeros of `shape` with out[i with dim replaced by index[i]] += g[i].
Tensor scatter_add_to_zeros(const Tensor& g, std::size_t dim, const Tensor& index, const Shape& shape);

}  // namespace lucid::kernels
