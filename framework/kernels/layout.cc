#include "framework/kernels/layout.h"

#include <algorithm>
#include <type_traits>

#include "framework/kernels/strided_loop.h"
#include "framework/number_format.h"

namespace lucid::kernels {
namespace {

// out (contiguous, `out_shape`) = x read through `x_strides` in out's index space.
Tensor gather(const Tensor& x, const Shape& out_shape, Shape::Dims x_strides) {
  Tensor out = Tensor::empty(out_shape, x.dtype());
  visit_any_dtype(x.dtype(), [&](auto tag) {
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

namespace {

// v converted to T; a conversion to int64 truncates toward zero (as PyTorch) and raises for NaN, ±inf
// and values outside int64's range, which C++ leaves undefined.
template <typename T, typename S>
T convert(S v) {
  if constexpr (std::is_same_v<T, std::int64_t> && std::is_floating_point_v<S>) {
    if (!(v >= S(-0x1p63) && v < S(0x1p63))) {
      throw ValueError("conversion to int64: " + format_number(v) + " is not a number int64 can hold");
    }
  }
  return static_cast<T>(v);
}

}  // namespace

void copy_into(const Tensor& dst, const Tensor& src) {
  visit_any_dtype(dst.dtype(), [&](auto dst_tag) {
    using D = decltype(dst_tag);
    visit_any_dtype(src.dtype(), [&](auto src_tag) {
      using S = decltype(src_tag);
      std::transform(src.data<S>(), src.data<S>() + dst.numel(), dst.data<D>(), [](S v) { return convert<D>(v); });
    });
  });
}

void fill(const Tensor& dst, double value) {
  visit_any_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::fill_n(dst.data<T>(), dst.numel(), convert<T>(value));
  });
}

// Viewed as (outer, size along dim, inner), each outer index moves one contiguous run of length·inner.
void copy_slices(const Tensor& from, std::int64_t from_start, const Tensor& to, std::int64_t to_start,
                 std::size_t dim, std::int64_t length) {
  std::int64_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < dim; ++d) outer *= from.shape()[static_cast<std::int64_t>(d)];
  for (std::size_t d = dim + 1; d < from.shape().size(); ++d) inner *= from.shape()[static_cast<std::int64_t>(d)];
  const std::int64_t from_size = from.shape()[static_cast<std::int64_t>(dim)];
  const std::int64_t to_size = to.shape()[static_cast<std::int64_t>(dim)];
  visit_any_dtype(from.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* src = from.data<T>();
    T* dst = to.data<T>();
    for (std::int64_t o = 0; o < outer; ++o) {
      std::copy_n(src + (o * from_size + from_start) * inner, length * inner, dst + (o * to_size + to_start) * inner);
    }
  });
}

}  // namespace lucid::kernels
