#include "framework/kernels/elementwise.h"

#include <cmath>

#include "framework/kernels/layout.h"

namespace lucid::kernels {

namespace {

template <typename T, typename F>
Tensor map_unary(const Tensor& x, F f) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  const Tensor dense_x = dense(x);
  const T* px = dense_x.data<T>();
  T* po = out.data<T>();
  for (std::int64_t i = 0, n = x.numel(); i < n; ++i) po[i] = f(px[i]);
  return out;
}

}  // namespace

Tensor pow_scalar(const Tensor& x, double exponent) {
  return visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T p = static_cast<T>(exponent);
    if (exponent == 2.0) return map_unary<T>(x, [](T v) { return v * v; });
    // ±½ as sqrt / 1/sqrt, as PyTorch: pow(−inf, ½) = NaN and pow(−0, ½) = −0, where std::pow gives +inf, +0
    if (exponent == 0.5) return map_unary<T>(x, [](T v) { return std::sqrt(v); });
    if (exponent == -0.5) return map_unary<T>(x, [](T v) { return T(1) / std::sqrt(v); });
    return map_unary<T>(x, [p](T v) { return std::pow(v, p); });
  });
}

void add_inplace(const Tensor& dst, const Tensor& src) {
  const Tensor dense_src = dense(src);
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* pd = dst.data<T>();
    const T* ps = dense_src.data<T>();
    for (std::int64_t i = 0, n = dst.numel(); i < n; ++i) pd[i] += ps[i];
  });
}

}  // namespace lucid::kernels
