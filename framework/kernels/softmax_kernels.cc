// softmax / log_softmax over rows (softmax.h), compiled per SIMD target. Per row: the maximum m
// (one pass), then e = exp(x − m) written while Σe is summed from the same registers
// (MapSumReduceSegments), then y = e·(1/Σe), or y = (x − m) − ln Σe for log_softmax. The backward
// sums Σ g·y (or Σ g) and writes dx in a second pass. Rows of attention scores (64–256 values)
// stay in L1 between the passes.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/softmax_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cmath>
#include <cstddef>
#include <limits>

#include "framework/expr/evaluate-inl.h"
#include "framework/expr/expr.h"
#include "framework/kernels/softmax.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace ex = lucid::expr::HWY_NAMESPACE;

namespace softmax_exprs {  // the kernels' expressions (Highway-free types)
namespace e = lucid::expr;
constexpr auto x = e::stream<0>;
using Shifted = decltype(e::exp(x - e::scalar<0>));       // exp(x − m)
using ComputedValue = decltype(e::stream<1>);             // Σ of what Shifted just produced
using LogOutput = decltype((x - e::scalar<0>) - e::scalar<1>);  // (x − m) − ln Σe: x − m exact near m
using GradDotOutput = decltype(e::stream<0> * e::stream<1>);                            // Σ g·y
using GradSum = decltype(e::stream<0>);                                                 // Σ g
using SoftmaxGrad = decltype(e::stream<1> * (e::stream<0> - e::scalar<0>));             // y·(g − Σ g·y)
using LogSoftmaxGrad = decltype(e::stream<0> - e::exp(e::stream<1>) * e::scalar<0>);    // g − exp(y)·Σ g
}  // namespace softmax_exprs
namespace sx = softmax_exprs;

// The largest of the n values at p (NaN-free rows; a NaN makes the row NaN in the later passes anyway).
template <typename T>
T RowMax(const T* p, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  auto best = hn::Set(d, -std::numeric_limits<T>::infinity());
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) best = hn::Max(best, hn::LoadU(d, p + i));
  T m = hn::GetLane(hn::MaxOfLanes(d, best));
  for (; i < n; ++i) m = p[i] > m ? p[i] : m;
  return m;
}

// p[i] *= scale in place (Map's restrict-qualified output may not alias its streams).
template <typename T>
void ScaleInPlace(T* p, std::size_t n, T scale) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto factor = hn::Set(d, scale);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::Mul(hn::LoadU(d, p + i), factor), d, p + i);
  for (; i < n; ++i) p[i] *= scale;
}

template <typename T>
void SoftmaxRows(const T* x, T* y, std::size_t rows, std::size_t length, bool take_log) {
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t r = 0; r < static_cast<std::ptrdiff_t>(rows); ++r) {
    const T* row = x + static_cast<std::size_t>(r) * length;
    T* out = y + static_cast<std::size_t>(r) * length;
    const T m = RowMax(row, length);
    double sum;
    ex::MapSumReduceSegments<sx::Shifted, sx::ComputedValue>(&row, &m, 0, out, 1, length, &sum);
    if (take_log) {
      const T shift[] = {m, static_cast<T>(std::log(sum))};
      ex::Map<sx::LogOutput>(&row, shift, out, length);
    } else {
      ScaleInPlace(out, length, static_cast<T>(1.0 / sum));
    }
  }
}

template <typename T>
void SoftmaxRowsBackward(const T* y, const T* g, T* dx, std::size_t rows, std::size_t length, bool take_log) {
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t r = 0; r < static_cast<std::ptrdiff_t>(rows); ++r) {
    const std::size_t offset = static_cast<std::size_t>(r) * length;
    const T* streams[] = {g + offset, y + offset};
    double sum;
    if (take_log) {
      ex::SumReduce<sx::GradSum>(streams, static_cast<const T*>(nullptr), length, &sum);
      const T total = static_cast<T>(sum);
      ex::Map<sx::LogSoftmaxGrad>(streams, &total, dx + offset, length);
    } else {
      ex::SumReduce<sx::GradDotOutput>(streams, static_cast<const T*>(nullptr), length, &sum);
      const T total = static_cast<T>(sum);
      ex::Map<sx::SoftmaxGrad>(streams, &total, dx + offset, length);
    }
  }
}

void SoftmaxRows_f32(const float* x, float* y, std::size_t rows, std::size_t length, bool take_log) {
  SoftmaxRows(x, y, rows, length, take_log);
}
void SoftmaxRows_f64(const double* x, double* y, std::size_t rows, std::size_t length, bool take_log) {
  SoftmaxRows(x, y, rows, length, take_log);
}
void SoftmaxRowsBackward_f32(const float* y, const float* g, float* dx, std::size_t rows, std::size_t length,
                             bool take_log) {
  SoftmaxRowsBackward(y, g, dx, rows, length, take_log);
}
void SoftmaxRowsBackward_f64(const double* y, const double* g, double* dx, std::size_t rows, std::size_t length,
                             bool take_log) {
  SoftmaxRowsBackward(y, g, dx, rows, length, take_log);
}

}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
HWY_EXPORT(SoftmaxRows_f32);
HWY_EXPORT(SoftmaxRows_f64);
HWY_EXPORT(SoftmaxRowsBackward_f32);
HWY_EXPORT(SoftmaxRowsBackward_f64);

void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t length, bool take_log) {
  HWY_DYNAMIC_DISPATCH(SoftmaxRows_f32)(x, y, rows, length, take_log);
}
void softmax_rows(const double* x, double* y, std::size_t rows, std::size_t length, bool take_log) {
  HWY_DYNAMIC_DISPATCH(SoftmaxRows_f64)(x, y, rows, length, take_log);
}
void softmax_rows_backward(const float* y, const float* g, float* dx, std::size_t rows, std::size_t length,
                           bool take_log) {
  HWY_DYNAMIC_DISPATCH(SoftmaxRowsBackward_f32)(y, g, dx, rows, length, take_log);
}
void softmax_rows_backward(const double* y, const double* g, double* dx, std::size_t rows, std::size_t length,
                           bool take_log) {
  HWY_DYNAMIC_DISPATCH(SoftmaxRowsBackward_f64)(y, g, dx, rows, length, take_log);
}

}  // namespace lucid::kernels
#endif  // HWY_ONCE
