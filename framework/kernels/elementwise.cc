#include "framework/kernels/elementwise.h"

#include <cmath>

#include "framework/kernels/strided_loop.h"

namespace lucid::kernels {

Shape::Dims broadcast_strides(const Shape& shape, std::size_t rank) {
  Shape::Dims strides(rank, 0);
  const Shape::Dims own = shape.contiguous_strides();
  const std::size_t lead = rank - shape.size();
  for (std::size_t i = 0; i < shape.size(); ++i) {
    strides[lead + i] = shape.dims()[i] == 1 ? 0 : own[i];
  }
  return strides;
}

namespace {

template <typename T, typename F>
void apply_binary(const Tensor& a, const Tensor& b, const Tensor& out, F f) {
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* po = out.data<T>();
  const std::int64_t n = out.numel();
  if (a.numel() == n && b.numel() == n) {  // same shape: one flat loop
    for (std::int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
    return;
  }
  if (b.numel() == 1 && a.numel() == n) {  // tensor op scalar
    const T vb = pb[0];
    for (std::int64_t i = 0; i < n; ++i) po[i] = f(pa[i], vb);
    return;
  }
  const Shape& shape = out.shape();
  const std::array<Shape::Dims, 3> strides{broadcast_strides(a.shape(), shape.size()),
                                           broadcast_strides(b.shape(), shape.size()), shape.contiguous_strides()};
  for_each_row<3>(shape.dims(), strides, [&](auto offset, std::int64_t count, auto step) {
    for (std::int64_t i = 0; i < count; ++i) {
      po[offset[2] + i * step[2]] = f(pa[offset[0] + i * step[0]], pb[offset[1] + i * step[1]]);
    }
  });
}

template <typename T, typename F>
Tensor map_unary(const Tensor& x, F f) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  const T* px = x.data<T>();
  T* po = out.data<T>();
  for (std::int64_t i = 0, n = x.numel(); i < n; ++i) po[i] = f(px[i]);
  return out;
}

}  // namespace

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape()), a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case BinaryOp::kAdd: return apply_binary<T>(a, b, out, [](T x, T y) { return x + y; });
      case BinaryOp::kSub: return apply_binary<T>(a, b, out, [](T x, T y) { return x - y; });
      case BinaryOp::kMul: return apply_binary<T>(a, b, out, [](T x, T y) { return x * y; });
      case BinaryOp::kDiv: return apply_binary<T>(a, b, out, [](T x, T y) { return x / y; });
      case BinaryOp::kGreater: return apply_binary<T>(a, b, out, [](T x, T y) { return T(x > y ? 1 : 0); });
    }
  });
  return out;
}

Tensor unary(UnaryOp op, const Tensor& x) {
  return visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case UnaryOp::kNeg: return map_unary<T>(x, [](T v) { return -v; });
      case UnaryOp::kExp: return map_unary<T>(x, [](T v) { return std::exp(v); });
      case UnaryOp::kLog: return map_unary<T>(x, [](T v) { return std::log(v); });
      case UnaryOp::kSqrt: return map_unary<T>(x, [](T v) { return std::sqrt(v); });
      case UnaryOp::kRelu: return map_unary<T>(x, [](T v) { return v > T(0) ? v : T(0); });
      case UnaryOp::kSigmoid:
        return map_unary<T>(x, [](T v) {
          if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
          const T e = std::exp(v);
          return e / (T(1) + e);
        });
      case UnaryOp::kTanh: return map_unary<T>(x, [](T v) { return std::tanh(v); });
    }
    return Tensor();
  });
}

Tensor pow_scalar(const Tensor& x, double exponent) {
  return visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T p = static_cast<T>(exponent);
    if (exponent == 2.0) return map_unary<T>(x, [](T v) { return v * v; });
    return map_unary<T>(x, [p](T v) { return std::pow(v, p); });
  });
}

void add_inplace(const Tensor& dst, const Tensor& src) {
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* pd = dst.data<T>();
    const T* ps = src.data<T>();
    for (std::int64_t i = 0, n = dst.numel(); i < n; ++i) pd[i] += ps[i];
  });
}

}  // namespace lucid::kernels
