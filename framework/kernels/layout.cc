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
    const T* px = x.strided_data<T>();
    T* po = out.data<T>();
    const std::array<Shape::Dims, 2> strides{std::move(x_strides), out_shape.contiguous_strides()};
    for_each_row<2>(out_shape.dims(), strides, [&](auto offset, std::int64_t count, auto step) {
      for (std::int64_t i = 0; i < count; ++i) po[offset[1] + i * step[1]] = px[offset[0] + i * step[0]];
    });
  });
  return out;
}

}  // namespace

Tensor expand_copy(const Tensor& x, const Shape& shape) {
  return gather(x, shape, broadcast_strides(x.shape(), x.strides(), shape.size()));
}

Tensor dense(const Tensor& x) { return x.is_contiguous() ? x : cast(x, x.dtype()); }

Tensor dense_at(const Tensor& x, const Shape& shape) { return x.shape() == shape ? dense(x) : expand_copy(x, shape); }

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

// Contiguous pairs as one run; otherwise both walked through their own strides (strided views).
void copy_into(const Tensor& dst, const Tensor& src) {
  const bool contiguous = dst.is_contiguous() && src.is_contiguous();
  const std::array<Shape::Dims, 2> strides{dst.strides(), src.strides()};
  visit_any_dtype(dst.dtype(), [&](auto dst_tag) {
    using D = decltype(dst_tag);
    visit_any_dtype(src.dtype(), [&](auto src_tag) {
      using S = decltype(src_tag);
      D* pd = dst.strided_data<D>();
      const S* ps = src.strided_data<S>();
      if (contiguous) {
        std::transform(ps, ps + dst.numel(), pd, [](S v) { return convert<D>(v); });
        return;
      }
      for_each_row<2>(dst.shape().dims(), strides, [&](auto offset, std::int64_t count, auto step) {
        for (std::int64_t i = 0; i < count; ++i) pd[offset[0] + i * step[0]] = convert<D>(ps[offset[1] + i * step[1]]);
      });
    });
  });
}

void fill(const Tensor& dst, double value) {
  const std::array<Shape::Dims, 1> strides{dst.strides()};
  visit_any_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* pd = dst.strided_data<T>();
    const T v = convert<T>(value);
    if (dst.is_contiguous()) {
      std::fill_n(pd, dst.numel(), v);
      return;
    }
    for_each_row<1>(dst.shape().dims(), strides, [&](auto offset, std::int64_t count, auto step) {
      for (std::int64_t i = 0; i < count; ++i) pd[offset[0] + i * step[0]] = v;
    });
  });
}

std::int64_t StridedPlacement::end() const {
  if (shape.numel() == 0) return offset;
  std::int64_t last = offset;
  for (std::size_t d = 0; d < shape.size(); ++d) last += (shape.dims()[d] - 1) * strides[d];
  return last + 1;
}

StridedPlacement placement_of(const Tensor& t) { return {t.shape(), t.strides(), t.storage_offset()}; }

Tensor strided_view(const Tensor& base, const StridedPlacement& placement) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->dtype = base.dtype();
  impl->shape = placement.shape;
  impl->offset = placement.offset;
  impl->strides = placement.strides;
  Tensor view(std::move(impl));
  if (view.is_contiguous()) view.impl()->strides.clear();
  return view;
}

// The buffer spans the two placements from the lower offset: a view deep inside a large base needs
// no buffer for what lies before it.
Tensor restride(const Tensor& src, const StridedPlacement& write, const StridedPlacement& read) {
  const std::int64_t start = std::min(write.offset, read.offset);
  StridedPlacement shifted_write = write, shifted_read = read;
  shifted_write.offset -= start;
  shifted_read.offset -= start;
  const std::int64_t span = std::max(shifted_write.end(), shifted_read.end());
  Tensor buffer = Tensor::empty(Shape{span}, src.dtype());
  if (write.shape.numel() != span) fill(buffer, 0.0);  // else the write covers every position
  copy_into(strided_view(buffer, shifted_write), src);
  const Tensor out = strided_view(buffer, shifted_read);
  const bool whole_buffer = shifted_read.offset == 0 && out.is_contiguous() && read.shape.numel() == span;
  return whole_buffer ? out : cast(out, src.dtype());
}

// Each side narrowed to its slices along dim as a view, then one strided copy.
void copy_slices(const Tensor& from, std::int64_t from_start, const Tensor& to, std::int64_t to_start,
                 std::size_t dim, std::int64_t length) {
  const auto slices = [dim, length](const Tensor& t, std::int64_t start) {
    StridedPlacement p = placement_of(t);
    p.offset += start * p.strides[dim];
    Shape::Dims dims = p.shape.dims();
    dims[dim] = length;
    p.shape = Shape(std::move(dims));
    return strided_view(t, p);
  };
  copy_into(slices(to, to_start), slices(from, from_start));
}

}  // namespace lucid::kernels
