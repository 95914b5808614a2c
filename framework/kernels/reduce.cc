#include "framework/kernels/reduce.h"

#include <numeric>

#include "framework/kernels/strided_loop.h"

namespace lucid::kernels {

Tensor sum_keepdim(const Tensor& x, const std::vector<bool>& reduce) {
  const Shape& shape = x.shape();
  Shape::Dims out_dims(shape.dims());
  for (std::size_t d = 0; d < out_dims.size(); ++d) {
    if (reduce[d]) out_dims[d] = 1;
  }
  Tensor out = Tensor::empty(Shape(out_dims), x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
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
