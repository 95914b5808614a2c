#include "framework/kernels/reduce.h"

#include <cmath>
#include <limits>
#include <numeric>

#include "framework/kernels/layout.h"
#include "framework/kernels/strided_loop.h"

namespace lucid::kernels {
namespace {

Shape keepdim_shape(const Shape& shape, const std::vector<bool>& reduce) {
  Shape::Dims out_dims(shape.dims());
  for (std::size_t d = 0; d < out_dims.size(); ++d) {
    if (reduce[d]) out_dims[d] = 1;
  }
  return Shape(out_dims);
}

// out[j] = fold(… fold(fold(init, x[i₀]), x[i₁]) …) over the elements i of x that reduce into out[j],
// in x's dtype and row-major order.
template <typename Fold>
Tensor fold_keepdim(const Tensor& x, const std::vector<bool>& reduce, double init, Fold fold) {
  const Shape& shape = x.shape();
  Tensor out = Tensor::empty(keepdim_shape(shape, reduce), x.dtype());
  const Tensor dense_x = dense(x);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = dense_x.data<T>();
    T* po = out.data<T>();
    std::fill_n(po, out.numel(), static_cast<T>(init));
    const std::array<Shape::Dims, 2> strides{shape.contiguous_strides(), broadcast_strides(out.shape(), shape.size())};
    for_each_row<2>(shape.dims(), strides, [&](auto offset, std::int64_t count, auto step) {
      for (std::int64_t i = 0; i < count; ++i) {
        T& acc = po[offset[1] + i * step[1]];
        acc = fold(acc, px[offset[0] + i * step[0]]);
      }
    });
  });
  return out;
}

}  // namespace

// out = max (or min) over the reduced elements; a NaN, once met, stays.
Tensor extreme_keepdim(const Tensor& x, const std::vector<bool>& reduce, bool largest) {
  const double inf = std::numeric_limits<double>::infinity();
  return fold_keepdim(x, reduce, largest ? -inf : inf, [largest](auto acc, auto v) {
    return std::isnan(v) || (largest ? v > acc : v < acc) ? v : acc;
  });
}

// out = Π over the reduced elements
Tensor prod_keepdim(const Tensor& x, const std::vector<bool>& reduce) {
  return fold_keepdim(x, reduce, 1.0, [](auto acc, auto v) { return acc * v; });
}

Tensor sum_keepdim(const Tensor& x, const std::vector<bool>& reduce) {
  const Shape& shape = x.shape();
  Tensor out = Tensor::empty(keepdim_shape(shape, reduce), x.dtype());
  const Tensor dense_x = dense(x);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = dense_x.data<T>();
    T* po = out.data<T>();
    if (out.numel() == 1) {  // every element into one sum
      po[0] = static_cast<T>(sum_all(px, static_cast<std::size_t>(x.numel())));
      return;
    }
    std::vector<double> acc(static_cast<std::size_t>(out.numel()), 0.0);
    const std::array<Shape::Dims, 2> strides{shape.contiguous_strides(),
                                             broadcast_strides(out.shape(), shape.size())};
    for_each_row<2>(shape.dims(), strides, [&](auto offset, std::int64_t count, auto step) {
      if (step[1] == 0) {  // the row is reduced: one running sum
        double s = 0.0;
        for (std::int64_t i = 0; i < count; ++i) s += px[offset[0] + i * step[0]];
        acc[offset[1]] += s;
      } else {
        for (std::int64_t i = 0; i < count; ++i) acc[offset[1] + i * step[1]] += px[offset[0] + i * step[0]];
      }
    });
    std::copy(acc.begin(), acc.end(), po);
  });
  return out;
}

}  // namespace lucid::kernels
