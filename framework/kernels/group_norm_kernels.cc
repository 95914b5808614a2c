// GroupNorm forward and backward, fused from expressions and compiled per SIMD target. The formulas
// are in group_norm.h.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/group_norm_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cmath>

#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/group_norm.h"
#include "hwy/highway.h"

#ifndef LUCID_FRAMEWORK_KERNELS_GROUP_NORM_EXPRS_
#define LUCID_FRAMEWORK_KERNELS_GROUP_NORM_EXPRS_
namespace lucid::kernels::group_norm_exprs {
namespace e = lucid::expr;
constexpr auto x = e::stream<0>;
constexpr auto shift = e::scalar<0>;
// Statistics: Σ(x − s), Σ(x − s)².
using ShiftedSum = decltype(x - shift);
using ShiftedSquare = decltype((x - shift) * (x - shift));
// Normalise and affine: (x − s)·a + b with a = rstd·γ_c, b = β_c − (μ − s)·a.
using Normalize = decltype((x - shift) * e::scalar<1> + e::scalar<2>);
// Backward sums over a channel: Σdy, Σdy·(x − s); streams (dy, x).
constexpr auto dy = e::stream<0>;
constexpr auto xb = e::stream<1>;
using GradSum = decltype(dy);
using GradDotShifted = decltype(dy * (xb - shift));
// dx = dy·(rstd·γ_c) + ((x − s)·c2 + c3); scalars (s, rstd·γ_c, c2, c3).
using InputGrad = decltype(dy * e::scalar<1> + ((xb - shift) * e::scalar<2> + e::scalar<3>));
}  // namespace lucid::kernels::group_norm_exprs
#endif

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace gx = group_norm_exprs;
namespace ex = lucid::expr::HWY_NAMESPACE;

// Items run in chunks of about kChunkBytes of input: first the statistics of every item of the chunk,
// then normalise+affine channel by channel while the chunk is still in cache. Small groups thus do not
// stall on one item's scalar 1/√(σ² + eps) before its output can be written.
constexpr std::size_t kChunkBytes = 16 * 1024, kMaxChunkItems = 64;

template <typename T>
void ForwardItems(const GroupNormForwardArgs<T>& a, std::size_t begin, std::size_t end) {
  const std::size_t per_group = a.channels / a.groups;
  const std::size_t m = per_group * a.spatial;
  if (m == 0) return;
  const std::size_t chunk = std::clamp<std::size_t>(kChunkBytes / (m * sizeof(T)), 1, kMaxChunkItems);
  double shifted_means[kMaxChunkItems];
  for (std::size_t first = begin; first < end; first += chunk) {
    const std::size_t last = std::min(end, first + chunk);
    for (std::size_t item = first; item < last; ++item) {
      const T* x = a.x + item * m;
      const T shift = x[0];
      double sums[2];
      ex::SumReduce<gx::ShiftedSum, gx::ShiftedSquare>(&x, &shift, m, sums);
      const double shifted_mean = sums[0] / static_cast<double>(m);
      const double var = std::max(sums[1] / static_cast<double>(m) - shifted_mean * shifted_mean, 0.0);
      shifted_means[item - first] = shifted_mean;
      a.mean[item] = static_cast<double>(shift) + shifted_mean;
      a.rstd[item] = 1.0 / std::sqrt(var + a.eps);
    }
    for (std::size_t item = first; item < last; ++item) {
      const std::size_t g = item % a.groups;
      const T* x = a.x + item * m;
      const T shift = x[0];
      for (std::size_t k = 0; k < per_group; ++k) {
        const std::size_t c = g * per_group + k;
        const double scale = a.rstd[item] * (a.gamma ? static_cast<double>(a.gamma[c]) : 1.0);
        const double offset = (a.beta ? static_cast<double>(a.beta[c]) : 0.0) - shifted_means[item - first] * scale;
        const T scalars[] = {shift, static_cast<T>(scale), static_cast<T>(offset)};
        const T* xc = x + k * a.spatial;
        ex::Map<gx::Normalize>(&xc, scalars, a.y + item * m + k * a.spatial, a.spatial);
      }
    }
  }
}

// The same chunking as the forward: per-channel sums of every item of the chunk first, then dx.
template <typename T>
void BackwardItems(const GroupNormBackwardArgs<T>& a, std::size_t begin, std::size_t end) {
  const std::size_t per_group = a.channels / a.groups;
  const std::size_t m = per_group * a.spatial;
  if (m == 0) return;
  const std::size_t chunk = std::clamp<std::size_t>(kChunkBytes / (2 * m * sizeof(T)), 1, kMaxChunkItems);
  double sum_a[kMaxChunkItems], sum_b[kMaxChunkItems];  // A = Σ_c γ_c Σdy, B = Σ_c γ_c Σdy(x − μ) per item
  for (std::size_t first = begin; first < end; first += chunk) {
    const std::size_t last = std::min(end, first + chunk);
    for (std::size_t item = first; item < last; ++item) {
      const std::size_t n = item / a.groups, g = item % a.groups;
      const T* x = a.x + item * m;
      const T* dy = a.dy + item * m;
      const T shift = x[0];
      const double shifted_mean = a.mean[item] - static_cast<double>(shift);
      double item_a = 0.0, item_b = 0.0;
      for (std::size_t k = 0; k < per_group; ++k) {
        const std::size_t c = g * per_group + k;
        const T* streams[] = {dy + k * a.spatial, x + k * a.spatial};
        double sums[2];
        ex::SumReduce<gx::GradSum, gx::GradDotShifted>(streams, &shift, a.spatial, sums);
        const double dot_centered = sums[1] - shifted_mean * sums[0];  // Σdy(x − μ)
        const double gamma = a.gamma ? static_cast<double>(a.gamma[c]) : 1.0;
        a.sum_dy[n * a.channels + c] = sums[0];
        a.sum_dy_xhat[n * a.channels + c] = dot_centered * a.rstd[item];
        item_a += gamma * sums[0];
        item_b += gamma * dot_centered;
      }
      sum_a[item - first] = item_a;
      sum_b[item - first] = item_b;
    }
    if (!a.dx) continue;
    for (std::size_t item = first; item < last; ++item) {
      const std::size_t g = item % a.groups;
      const T* x = a.x + item * m;
      const T* dy = a.dy + item * m;
      const T shift = x[0];
      const double shifted_mean = a.mean[item] - static_cast<double>(shift);
      const double rstd = a.rstd[item], inv_m = 1.0 / static_cast<double>(m);
      const double c2 = -sum_b[item - first] * rstd * rstd * rstd * inv_m;
      const double c3 = -c2 * shifted_mean - sum_a[item - first] * rstd * inv_m;
      for (std::size_t k = 0; k < per_group; ++k) {
        const std::size_t c = g * per_group + k;
        const double gamma = a.gamma ? static_cast<double>(a.gamma[c]) : 1.0;
        const T scalars[] = {shift, static_cast<T>(rstd * gamma), static_cast<T>(c2), static_cast<T>(c3)};
        const T* streams[] = {dy + k * a.spatial, x + k * a.spatial};
        ex::Map<gx::InputGrad>(streams, scalars, a.dx + item * m + k * a.spatial, a.spatial);
      }
    }
  }
}

void GroupNormForward_f32(const GroupNormForwardArgs<float>& a, std::size_t b, std::size_t e) { ForwardItems(a, b, e); }
void GroupNormForward_f64(const GroupNormForwardArgs<double>& a, std::size_t b, std::size_t e) { ForwardItems(a, b, e); }
void GroupNormBackward_f32(const GroupNormBackwardArgs<float>& a, std::size_t b, std::size_t e) { BackwardItems(a, b, e); }
void GroupNormBackward_f64(const GroupNormBackwardArgs<double>& a, std::size_t b, std::size_t e) { BackwardItems(a, b, e); }

}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <omp.h>

namespace lucid::kernels {
HWY_EXPORT(GroupNormForward_f32);
HWY_EXPORT(GroupNormForward_f64);
HWY_EXPORT(GroupNormBackward_f32);
HWY_EXPORT(GroupNormBackward_f64);

namespace {

// Splits items [0, count) into one contiguous static chunk per OpenMP thread. Items are independent,
// so the chunking changes no result.
template <typename Fn>
void parallel_items(std::size_t count, Fn&& run) {
  if (count == 0) return;
  const int threads = static_cast<int>(std::min<std::size_t>(count, static_cast<std::size_t>(omp_get_max_threads())));
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    run(count * t / nt, count * (t + 1) / nt);
  }
}

}  // namespace

void group_norm_forward(const GroupNormForwardArgs<float>& a) {
  parallel_items(a.batch * a.groups, [&](std::size_t b, std::size_t e) { HWY_DYNAMIC_DISPATCH(GroupNormForward_f32)(a, b, e); });
}
void group_norm_forward(const GroupNormForwardArgs<double>& a) {
  parallel_items(a.batch * a.groups, [&](std::size_t b, std::size_t e) { HWY_DYNAMIC_DISPATCH(GroupNormForward_f64)(a, b, e); });
}
void group_norm_backward(const GroupNormBackwardArgs<float>& a) {
  parallel_items(a.batch * a.groups, [&](std::size_t b, std::size_t e) { HWY_DYNAMIC_DISPATCH(GroupNormBackward_f32)(a, b, e); });
}
void group_norm_backward(const GroupNormBackwardArgs<double>& a) {
  parallel_items(a.batch * a.groups, [&](std::size_t b, std::size_t e) { HWY_DYNAMIC_DISPATCH(GroupNormBackward_f64)(a, b, e); });
}

}  // namespace lucid::kernels
#endif  // HWY_ONCE
