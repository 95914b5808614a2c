#include "framework/kernels/scan.h"

#include "framework/kernels/layout.h"

namespace lucid::kernels {

// out[a, j, b] = Σ_{k ≤ j} x[a, k, b]  (reverse: k ≥ j)
Tensor cumsum(const Tensor& x, std::size_t dim, bool reverse) {
  std::int64_t outer = 1, extent = 1, inner = 1;
  for (std::size_t d = 0; d < x.shape().size(); ++d) {
    const std::int64_t s = x.shape().dims()[d];
    if (d < dim) outer *= s;
    if (d == dim) extent = s;
    if (d > dim) inner *= s;
  }
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  const Tensor dense_x = dense(x);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = dense_x.data<T>();
    T* po = out.data<T>();
    for (std::int64_t a = 0; a < outer; ++a) {
      for (std::int64_t b = 0; b < inner; ++b) {
        double running = 0.0;
        for (std::int64_t step = 0; step < extent; ++step) {
          const std::int64_t j = reverse ? extent - 1 - step : step;
          const std::int64_t at = (a * extent + j) * inner + b;
          running += static_cast<double>(px[at]);
          po[at] = static_cast<T>(running);
        }
      }
    }
  });
  return out;
}

// out[r, i] = (Π_{k < i} x[r, k])·(Π_{k > i} x[r, k])
Tensor products_of_others(const Tensor& x) {
  const std::int64_t k = x.dim() == 0 ? 1 : x.shape().dims().back();
  const std::int64_t rows = k == 0 ? 0 : x.numel() / k;
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  const Tensor dense_x = dense(x);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = dense_x.data<T>();
    T* po = out.data<T>();
    for (std::int64_t r = 0; r < rows; ++r) {
      const T* row = px + r * k;
      T* o = po + r * k;
      T prefix = T(1);
      for (std::int64_t i = 0; i < k; ++i) {
        o[i] = prefix;
        prefix *= row[i];
      }
      T suffix = T(1);
      for (std::int64_t i = k; i-- > 0;) {
        o[i] *= suffix;
        suffix *= row[i];
      }
    }
  });
  return out;
}

}  // namespace lucid::kernels
