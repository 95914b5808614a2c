// Data-movement kernels (no autograd): expanding by broadcasting, dtype casts, copies and fills through
// strides, and the strided placements views are made of.
#pragma once

#include <cstdint>
#include <vector>

#include "framework/tensor.h"

namespace lucid::kernels {

// x repeated along its size-1 (or missing leading) dimensions to fill `shape`.
Tensor expand_copy(const Tensor& x, const Shape& shape);
// x itself when contiguous, else a contiguous copy: what a kernel reading x in row-major order takes;
// dense_at also broadcasts x to `shape`.
Tensor dense(const Tensor& x);
Tensor dense_at(const Tensor& x, const Shape& shape);
// x's values converted to dtype (to int64: truncated toward zero; ValueError for NaN, ±inf or a value
// out of int64's range).
Tensor cast(const Tensor& x, DType dtype);
// dst[i] = src[i] converted to dst's dtype (same shape), and dst[i] = value; either may be a strided
// view. Raw writes: no autograd, no version bump (Tensor::copy_ / fill_ add those).
void copy_into(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, double value);
// Where a strided tensor's elements sit in a buffer: element (i₀, i₁, ...) at offset + Σ i_d·strides[d].
struct StridedPlacement {
  Shape shape;
  Shape::Dims strides;
  std::int64_t offset = 0;
  // One past the largest position used (offset when empty); strides are non-negative.
  std::int64_t end() const;
};
StridedPlacement placement_of(const Tensor& t);
// A tensor on base's storage at `placement` (no autograd; strides dropped when contiguous).
Tensor strided_view(const Tensor& base, const StridedPlacement& placement);
// The elements of src written into a zero buffer at `write` and read back at `read`, as a contiguous
// tensor of read.shape. With a view's placement in its base's storage and the base's own, it is the
// view's gradient scattered into the base's shape (write = view, read = base) and back (swapped):
// the two are each other's adjoint when neither placement has two elements at one position.
Tensor restride(const Tensor& src, const StridedPlacement& write, const StridedPlacement& read);
// Copies `length` slices along dimension dim, from `from` (slices from_start, ...) into `to` (slices
// to_start, ...): the two share all other sizes; either may be a strided view. narrow's adjoint and cat
// are this copy.
void copy_slices(const Tensor& from, std::int64_t from_start, const Tensor& to, std::int64_t to_start,
                 std::size_t dim, std::int64_t length);

}  // namespace lucid::kernels
