// The statistics the normalisation kernels start from: the robust mean and variance (GroupNorm per
// group, LayerNorm per row) and RMSNorm's mean square, compiled once per Highway target: include it
// from a kernels -inl.h.

#ifndef LUCID_FRAMEWORK_KERNELS_NORM_STATISTICS_EXPRS_
#define LUCID_FRAMEWORK_KERNELS_NORM_STATISTICS_EXPRS_
#include "framework/expr/expr.h"

namespace lucid::kernels::norm_statistics_exprs {
namespace e = lucid::expr;

// Σ(x − s), Σ(x − s)², streams (x), scalars (s); Σx².
using ShiftedSum = decltype(e::stream<0> - e::scalar<0>);
using ShiftedSquare = decltype((e::stream<0> - e::scalar<0>) * (e::stream<0> - e::scalar<0>));
using Square = decltype(e::stream<0> * e::stream<0>);

}  // namespace lucid::kernels::norm_statistics_exprs
#endif

// Per-target include guard (Highway's toggle idiom).
#if defined(LUCID_FRAMEWORK_KERNELS_NORM_STATISTICS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LUCID_FRAMEWORK_KERNELS_NORM_STATISTICS_INL_H_
#undef LUCID_FRAMEWORK_KERNELS_NORM_STATISTICS_INL_H_
#else
#define LUCID_FRAMEWORK_KERNELS_NORM_STATISTICS_INL_H_
#endif

#include <algorithm>
#include <cstddef>

#include "framework/expr/evaluate-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE::norm_detail {

// A shifted sum loses about (μ − s)²/σ² units of T's rounding to the cancellation in
// σ² = Σ(x − s)²/M − (Σ(x − s)/M)², so the sums are taken again around the mean found whenever s lay
// more than kMaxShiftSquared^½ standard deviations from it.
constexpr double kMaxShiftSquared = 2.0;

// μ and σ² (biased) of the values in `segments` runs of `length` at x, run k at x + k·stride (one run
// of m values for GroupNorm's group and LayerNorm's row; a run per sample for BatchNorm's channel), in
// one pass of Σ(x − s) and Σ(x − s)², μ as center + mean_offset: center is μ rounded to T (what the
// kernels subtract from x), mean_offset = μ − center in float64, kept apart so that μ's low digits
// survive when the data lie far from 0 (float64 data around 1e4 would otherwise lose ~1e-12 of μ, a
// systematic 1e-9 of σ = 1e-3 in every x̂). The first shift s is the median of the first, middle and
// last values (a single spike is never chosen); a spike or a large offset that still leaves s far from
// the mean costs one or two more passes around the mean just found.
template <class T>
HWY_INLINE void RobustStatistics(const T* x, std::size_t segments, std::size_t length, std::size_t stride,
                                 double& center, double& mean_offset, double& var) {
  const std::size_t m = segments * length;
  const auto at = [&](std::size_t i) { return x[(i / length) * stride + i % length]; };
  const T a = at(0), b = at(m / 2), c = at(m - 1);
  T shift = std::max(std::min(a, b), std::min(std::max(a, b), c));
  for (int pass = 0;; ++pass) {
    double sums[2];
    lucid::expr::HWY_NAMESPACE::SumReduceSegments<norm_statistics_exprs::ShiftedSum,
                                                  norm_statistics_exprs::ShiftedSquare>(&x, &shift, segments, length,
                                                                                        stride, sums);
    const double shifted_mean = sums[0] / static_cast<double>(m);
    var = std::max(sums[1] / static_cast<double>(m) - shifted_mean * shifted_mean, 0.0);
    const T closer = static_cast<T>(static_cast<double>(shift) + shifted_mean);
    // (shift − closer) is exact: two nearby values of T, subtracted in float64.
    center = static_cast<double>(closer);
    mean_offset = (static_cast<double>(shift) - center) + shifted_mean;
    // False for NaN and inf data, whose statistics are NaN or inf however they are summed.
    if (pass == 2 || !(shifted_mean * shifted_mean > kMaxShiftSquared * var) || closer == shift) return;
    shift = closer;
  }
}
// The m values at x, one contiguous run.
template <class T>
HWY_INLINE void RobustStatistics(const T* x, std::size_t m, double& center, double& mean_offset, double& var) {
  RobustStatistics(x, 1, m, m, center, mean_offset, var);
}

// mean(x²) of the m values at x (RMSNorm's statistic: a sum of squares cancels nothing).
template <class T>
HWY_INLINE double MeanSquare(const T* x, std::size_t m) {
  double sum;
  lucid::expr::HWY_NAMESPACE::SumReduce<norm_statistics_exprs::Square>(&x, static_cast<const T*>(nullptr), m, &sum);
  return sum / static_cast<double>(m);
}

}  // namespace lucid::kernels::HWY_NAMESPACE::norm_detail
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
