// The one N-dimensional loop behind broadcasting, permuting and reducing kernels.
#pragma once

#include <array>
#include <cstdint>

#include "framework/shape.h"

namespace lucid::kernels {

// Walks the row-major index space `sizes`. Each of the K operands has its own strides (in elements;
// 0 along a broadcast or reduced dimension). For every innermost row, calls
//   body(offsets, count, inner_strides)
// with each operand's offset of the row's first element, the row length and each operand's stride
// along the row. A 0-d space is one row of length 1.
template <std::size_t K, typename Body>
void for_each_row(const Shape::Dims& sizes, const std::array<Shape::Dims, K>& strides, Body&& body) {
  const std::size_t rank = sizes.size();
  std::array<std::int64_t, K> offsets{};
  std::array<std::int64_t, K> inner{};
  if (rank == 0) {
    body(offsets, std::int64_t{1}, inner);
    return;
  }
  for (std::int64_t s : sizes) {
    if (s == 0) return;
  }
  for (std::size_t k = 0; k < K; ++k) inner[k] = strides[k][rank - 1];
  const std::int64_t row = sizes[rank - 1];
  Shape::Dims index(rank, 0);
  while (true) {
    body(offsets, row, inner);
    // Advance the outer index like an odometer, updating offsets incrementally.
    std::size_t d = rank - 1;
    while (true) {
      if (d == 0) return;
      --d;
      ++index[d];
      for (std::size_t k = 0; k < K; ++k) offsets[k] += strides[k][d];
      if (index[d] < sizes[d]) break;
      for (std::size_t k = 0; k < K; ++k) offsets[k] -= strides[k][d] * sizes[d];
      index[d] = 0;
    }
  }
}

// Strides of a contiguous tensor of shape `shape` viewed in the index space of rank `rank`
// (trailing-aligned, as in broadcasting), with 0 wherever its size is 1 or it has no dimension.
Shape::Dims broadcast_strides(const Shape& shape, std::size_t rank);
// The same for a tensor of shape `shape` laid out with strides `own` (a strided view).
Shape::Dims broadcast_strides(const Shape& shape, const Shape::Dims& own, std::size_t rank);

}  // namespace lucid::kernels
