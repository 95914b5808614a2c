#include "framework/kernels/layout.h"

#include <algorithm>

#include "framework/kernels/strided_loop.h"

namespace lucid::kernels {
namespace {

// out (contiguous, `out_shape`) = x read through `x_strides` in out's index space.
Tensor gather(const Tensor& x, const Shape& out_shape, Shape::Dims x_strides) {
  Tensor out = Tensor::empty(out_shape, x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    const std::array<Shape::Dims, 2> strides{std::move(x_strides), out_shape.contiguous_strides()};
    for_each_row<2>(out_shape.dims(), strides, [&](auto offset, std::int64_t count, auto step) {
      for (std::int64_t i = 0; i < count; ++i) po[offset[1] + i * step[1]] = px[offset[0] + i * step[0]];
    });
  });
  return out;
}

}  // namespace

Tensor permute_copy(const Tensor& x, const std::vector<std::size_t>& perm) {
  const Shape::Dims x_strides = x.shape().contiguous_strides();
  Shape::Dims out_dims(perm.size());
  Shape::Dims strides(perm.size());
  for (std::size_t j = 0; j < perm.size(); ++j) {
    out_dims[j] = x.shape().dims()[perm[j]];
    strides[j] = x_strides[perm[j]];
  }
  return gather(x, Shape(out_dims), strides);
}

Tensor expand_copy(const Tensor& x, const Shape& shape) {
  return gather(x, shape, broadcast_strides(x.shape(), shape.size()));
}

Tensor cast(const Tensor& x, DType dtype) {
  Tensor out = Tensor::empty(x.shape(), dtype);
  copy_into(out, x);
  return out;
}

void copy_into(const Tensor& dst, const Tensor& src) {
  visit_dtype(dst.dtype(), [&](auto dst_tag) {
    using D = decltype(dst_tag);
    visit_dtype(src.dtype(), [&](auto src_tag) {
      using S = decltype(src_tag);
      std::copy_n(src.data<S>(), dst.numel(), dst.data<D>());  // converts S -> D element-wise
    });
  });
}

void fill(const Tensor& dst, double value) {
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::fill_n(dst.data<T>(), dst.numel(), static_cast<T>(value));
  });
}

}  // namespace lucid::kernels
