// The dimension bookkeeping every reduction shares: which dimensions a dims list reduces, and the
// shape without them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "framework/tensor.h"

namespace lucid::ops_detail {

// Which dimensions of `shape` to reduce; empty dims means all. Throws ValueError for a dimension
// out of range or named twice.
inline std::vector<bool> reduce_mask(const Shape& shape, const std::vector<std::int64_t>& dims) {
  std::vector<bool> mask(shape.size(), dims.empty());
  for (std::int64_t d : dims) {
    const std::size_t i = shape.normalize_dim(d);
    if (mask[i]) throw ValueError("dimension " + std::to_string(d) + " appears twice in the reduction dims");
    mask[i] = true;
  }
  return mask;
}

// keepdim_shape without the masked dimensions.
inline Shape drop_reduced(const Shape& keepdim_shape, const std::vector<bool>& mask) {
  Shape::Dims dims;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) dims.push_back(keepdim_shape.dims()[i]);
  }
  return Shape(dims);
}

// The number of elements each reduction over `mask` combines.
inline std::int64_t reduced_count(const Shape& shape, const std::vector<bool>& mask) {
  std::int64_t count = 1;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) count *= shape.dims()[i];
  }
  return count;
}

inline std::vector<std::int64_t> as_vector(const Shape& shape) { return {shape.begin(), shape.end()}; }

// `shape` with the masked dimensions kept as size 1, as a reshape target.
inline std::vector<std::int64_t> keepdim_dims(const Shape& shape, const std::vector<bool>& mask) {
  std::vector<std::int64_t> dims = as_vector(shape);
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) dims[i] = 1;
  }
  return dims;
}

}  // namespace lucid::ops_detail
