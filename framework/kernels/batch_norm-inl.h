// BatchNorm's forward and backward with an activation epilogue, as templates over the activation's
// expression, compiled once per Highway target from framework/kernels/batch_norm_kernels.cc. The
// formulas are in batch_norm.h; the expressions are GroupNorm's (group_norm-inl.h), here with one
// channel's scalars for all N runs of the channel.

// Per-target include guard (Highway's toggle idiom).
#if defined(LUCID_FRAMEWORK_KERNELS_BATCH_NORM_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LUCID_FRAMEWORK_KERNELS_BATCH_NORM_INL_H_
#undef LUCID_FRAMEWORK_KERNELS_BATCH_NORM_INL_H_
#else
#define LUCID_FRAMEWORK_KERNELS_BATCH_NORM_INL_H_
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/batch_norm.h"
#include "framework/kernels/group_norm-inl.h"
#include "framework/kernels/norm_statistics-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace batch_norm_detail {

namespace gx = group_norm_exprs;
namespace ex = lucid::expr::HWY_NAMESPACE;

// Channel c's (m, a, b) at the front of `scalars`: m = the center, a = rstd·γ_c, b = β_c − (μ − m)·a.
template <class Args, class T, std::size_t K>
void SetChannelScalars(const Args& args, std::size_t c, std::array<T, K>& scalars) {
  const double scale = args.rstd[c] * (args.gamma ? static_cast<double>(args.gamma[c]) : 1.0);
  scalars[0] = static_cast<T>(args.center[c]);
  scalars[1] = static_cast<T>(scale);
  scalars[2] = static_cast<T>((args.beta ? static_cast<double>(args.beta[c]) : 0.0) - args.mean_offset[c] * scale);
}

template <class Act, class T>
void ForwardItems(const BatchNormForwardArgs<T>& a, std::size_t begin, std::size_t end) {
  using Kernel = gx::Epilogue<Act>;
  constexpr std::size_t P = Kernel::num_activation_scalars;
  const std::size_t stride = a.channels * a.spatial;
  if (a.batch * a.spatial == 0) return;
  std::array<T, 3 + P> scalars{};  // (m, a, b, act's)
  std::copy_n(a.activation_scalars, P, scalars.begin() + 3);
  for (std::size_t c = begin; c < end; ++c) {
    const T* x = a.x + c * a.spatial;
    double var;
    norm_detail::RobustStatistics(x, a.batch, a.spatial, stride, a.center[c], a.mean_offset[c], var);
    a.rstd[c] = 1.0 / std::sqrt(var + a.eps);
    SetChannelScalars(a, c, scalars);
    for (std::size_t n = 0; n < a.batch; ++n) {
      const T* run = x + n * stride;
      ex::Map<typename Kernel::Forward>(&run, scalars.data(), a.y + c * a.spatial + n * stride, a.spatial);
    }
  }
}

// Per channel: the two sums over its runs (with an activation, g = dy·act′(z) is formed once per element
// and stored to a scratch run for the dx pass while the sums are taken from the same registers), then dx.
template <class Act, class T>
void BackwardItems(const BatchNormBackwardArgs<T>& a, std::size_t begin, std::size_t end) {
  using Kernel = gx::Epilogue<Act>;
  using Plain = gx::Epilogue<expr::Stream<0>>;
  constexpr bool identity = std::is_same_v<Act, expr::Stream<0>>;
  constexpr std::size_t P = Kernel::num_activation_scalars;
  const std::size_t stride = a.channels * a.spatial, count = a.batch * a.spatial;
  if (count == 0) return;
  std::vector<T> scratch(identity ? 0 : count);               // the channel's g, run after run
  std::vector<double> run_sums(identity ? 0 : 2 * a.batch);  // Σg, Σg·(x − m) of each run
  std::array<T, 5 + P> scalars{};                             // (m, a, b, c2, c3, act's)
  std::copy_n(a.activation_scalars, P, scalars.begin() + 5);
  for (std::size_t c = begin; c < end; ++c) {
    const std::size_t offset = c * a.spatial;
    SetChannelScalars(a, c, scalars);
    double sums[2] = {0.0, 0.0};
    if constexpr (identity) {
      const T* streams[] = {a.dy + offset, a.x + offset};
      ex::SumReduceSegments<typename Plain::GradSum, typename Plain::GradDotShifted>(streams, scalars.data(), a.batch,
                                                                                     a.spatial, stride, sums);
    } else {
      for (std::size_t n = 0; n < a.batch; ++n) {
        const T* streams[] = {a.dy + offset + n * stride, a.x + offset + n * stride};
        ex::MapSumReduceSegments<typename Kernel::Grad, typename Kernel::ComputedGradSum,
                                 typename Kernel::ComputedGradDotShifted>(
            streams, scalars.data(), 0, scratch.data() + n * a.spatial, 1, a.spatial, &run_sums[2 * n]);
      }
      for (std::size_t n = 0; n < a.batch; ++n) {
        sums[0] += run_sums[2 * n];
        sums[1] += run_sums[2 * n + 1];
      }
    }
    const double rstd = a.rstd[c], inv_count = 1.0 / static_cast<double>(count);
    const double dot_centered = sums[1] - a.mean_offset[c] * sums[0];  // Σg(x − μ)
    a.sum_dy[c] = sums[0];
    a.sum_dy_xhat[c] = dot_centered * rstd;
    if (!a.dx) continue;
    const double gamma = a.gamma ? static_cast<double>(a.gamma[c]) : 1.0;
    const double c2 = -gamma * dot_centered * rstd * rstd * rstd * inv_count;
    scalars[3] = static_cast<T>(c2);
    scalars[4] = static_cast<T>(-c2 * a.mean_offset[c] - gamma * sums[0] * rstd * inv_count);
    for (std::size_t n = 0; n < a.batch; ++n) {
      const T* streams[] = {identity ? a.dy + offset + n * stride : scratch.data() + n * a.spatial,
                            a.x + offset + n * stride};
      ex::Map<typename Plain::InputGrad>(streams, scalars.data(), a.dx + offset + n * stride, a.spatial);
    }
  }
}

}  // namespace batch_norm_detail
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
