// GroupNorm's forward and backward with an activation epilogue, as templates over the activation's
// expression, compiled once per Highway target: include this from a .cc that goes through
// hwy/foreach_target.h, and instantiate with LUCID_GROUP_NORM_TARGET_KERNELS (group_norm_epilogue.h).
// The formulas are in group_norm.h.

#ifndef LUCID_FRAMEWORK_KERNELS_GROUP_NORM_EXPRS_
#define LUCID_FRAMEWORK_KERNELS_GROUP_NORM_EXPRS_
#include "framework/expr/compose.h"
#include "framework/expr/derivative.h"

namespace lucid::kernels::group_norm_exprs {
namespace e = lucid::expr;

// Statistics: Σ(x − s), Σ(x − s)², streams (x), scalars (s).
using ShiftedSum = decltype(e::stream<0> - e::scalar<0>);
using ShiftedSquare = decltype((e::stream<0> - e::scalar<0>) * (e::stream<0> - e::scalar<0>));

// The kernels of act, an expression of stream<0> (the value z it acts on) and its own scalars.
template <class Act>
struct Epilogue {
  static constexpr std::size_t num_activation_scalars = e::num_scalars<Act>;
  // Forward, streams (x), scalars (m, a = rstd·γ_c, b = β_c − (μ − m)·a, act's...):
  // z = (x − m)·a + b, y = act(z).
  using Normalized = decltype((e::stream<0> - e::scalar<0>) * e::scalar<1> + e::scalar<2>);
  using Forward = e::compose_t<Act, Normalized, 3>;

  // Backward, streams (dy, x), scalars (m, a, b, c2, c3, act's...): g = dy·act′(z), z recomputed from
  // x. The identity's expressions, where g is dy, give the per-channel sums Σg, Σg·(x − m) and
  // dx = g·a + ((x − m)·c2 + c3) once g is at hand.
  static constexpr auto dy = e::stream<0>;
  static constexpr auto x = e::stream<1>;
  static constexpr auto m = e::scalar<0>;
  using RecomputedZ = decltype((x - m) * e::scalar<1> + e::scalar<2>);
  using ActDerivative = e::compose_t<decltype(e::d(Act{}, e::stream<0>)), RecomputedZ, 5>;
  using Grad = decltype(e::simplify::mul(dy, ActDerivative{}));  // dy itself when act is the identity
  using GradSum = Grad;
  using GradDotShifted = decltype(Grad{} * (x - m));
  using InputGrad = decltype(Grad{} * e::scalar<1> + ((x - m) * e::scalar<3> + e::scalar<4>));
};

}  // namespace lucid::kernels::group_norm_exprs
#endif

// Per-target include guard (Highway's toggle idiom).
#if defined(LUCID_FRAMEWORK_KERNELS_GROUP_NORM_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LUCID_FRAMEWORK_KERNELS_GROUP_NORM_INL_H_
#undef LUCID_FRAMEWORK_KERNELS_GROUP_NORM_INL_H_
#else
#define LUCID_FRAMEWORK_KERNELS_GROUP_NORM_INL_H_
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <type_traits>
#include <vector>

#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/group_norm.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace group_norm_detail {

namespace gx = group_norm_exprs;
namespace ex = lucid::expr::HWY_NAMESPACE;
static_assert(ex::kMaxSumLanes <= kGroupNormSumLanes, "GroupNormBackwardArgs' lane stride is too small for this target");

// Items run in chunks of about kChunkBytes of input: first the statistics of every item of the chunk,
// then normalise+affine channel by channel while the chunk is still in cache. Small groups thus do not
// stall on one item's scalar 1/√(σ² + eps) before its output can be written.
constexpr std::size_t kChunkBytes = 16 * 1024, kMaxChunkItems = 64;

// A shifted sum loses about (μ − s)²/σ² units of T's rounding to the cancellation in
// σ² = Σ(x − s)²/M − (Σ(x − s)/M)², so the sums are taken again around the mean found whenever s lay
// more than kMaxShiftSquared^½ standard deviations from it.
constexpr double kMaxShiftSquared = 2.0;

// μ and σ² of the m values at x, μ as center + mean_offset: center is μ rounded to T (what the
// kernels subtract from x), mean_offset = μ − center in float64, kept apart so that μ's low digits
// survive when the data lie far from 0 (float64 data around 1e4 would otherwise lose ~1e-12 of μ, a
// systematic 1e-9 of σ = 1e-3 in every x̂). The first shift is the median of the first, middle and
// last values (a single spike is never chosen); a spike or a large offset that still leaves the shift
// far from the mean costs one or two more passes around the mean just found.
template <class T>
HWY_INLINE void GroupStatistics(const T* x, std::size_t m, double& center, double& mean_offset, double& var) {
  const T a = x[0], b = x[m / 2], c = x[m - 1];
  T shift = std::max(std::min(a, b), std::min(std::max(a, b), c));
  for (int pass = 0;; ++pass) {
    double sums[2];
    ex::SumReduce<gx::ShiftedSum, gx::ShiftedSquare>(&x, &shift, m, sums);
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

template <class Act, class T>
void ForwardItems(const GroupNormForwardArgs<T>& a, std::size_t begin, std::size_t end) {
  using Kernel = gx::Epilogue<Act>;
  constexpr std::size_t P = Kernel::num_activation_scalars;
  const std::size_t per_group = a.channels / a.groups;
  const std::size_t m = per_group * a.spatial;
  if (m == 0) return;
  const std::size_t chunk = std::clamp<std::size_t>(kChunkBytes / (m * sizeof(T)), 1, kMaxChunkItems);
  std::array<T, 3 + P> scalars{};
  std::copy_n(a.activation_scalars, P, scalars.begin() + 3);
  for (std::size_t first = begin; first < end; first += chunk) {
    const std::size_t last = std::min(end, first + chunk);
    for (std::size_t item = first; item < last; ++item) {
      double var;
      GroupStatistics(a.x + item * m, m, a.center[item], a.mean_offset[item], var);
      a.rstd[item] = 1.0 / std::sqrt(var + a.eps);
    }
    for (std::size_t item = first; item < last; ++item) {
      const std::size_t g = item % a.groups;
      const T shift = static_cast<T>(a.center[item]);
      const double shifted_mean = a.mean_offset[item];
      for (std::size_t k = 0; k < per_group; ++k) {
        const std::size_t c = g * per_group + k;
        const double scale = a.rstd[item] * (a.gamma ? static_cast<double>(a.gamma[c]) : 1.0);
        const double offset = (a.beta ? static_cast<double>(a.beta[c]) : 0.0) - shifted_mean * scale;
        scalars[0] = shift;
        scalars[1] = static_cast<T>(scale);
        scalars[2] = static_cast<T>(offset);
        const T* xc = a.x + item * m + k * a.spatial;
        ex::Map<typename Kernel::Forward>(&xc, scalars.data(), a.y + item * m + k * a.spatial, a.spatial);
      }
    }
  }
}

// The same chunking as the forward: per-channel sums of every item of the chunk first, then dx. With an
// activation, g = dy·act′(z) is first written to a scratch buffer, channel by channel, so that act′ is
// evaluated once per element; the sums and dx then read g where the plain backward reads dy.
template <class Act, class T>
void BackwardItems(const GroupNormBackwardArgs<T>& a, std::size_t begin, std::size_t end) {
  using Kernel = gx::Epilogue<Act>;
  using Plain = gx::Epilogue<expr::Stream<0>>;
  constexpr bool identity = std::is_same_v<Act, expr::Stream<0>>;
  constexpr std::size_t P = Kernel::num_activation_scalars;
  const std::size_t per_group = a.channels / a.groups;
  const std::size_t m = per_group * a.spatial;
  if (m == 0) return;
  const std::size_t chunk =
      std::clamp<std::size_t>(kChunkBytes / ((identity ? 2 : 3) * m * sizeof(T)), 1, kMaxChunkItems);
  std::vector<T> scratch(identity ? 0 : chunk * m);  // g of the chunk's items
  double sum_a[kMaxChunkItems], sum_b[kMaxChunkItems];  // A = Σ_c γ_c Σg, B = Σ_c γ_c Σg(x − μ) per item
  std::array<T, 5 + P> scalars{};                        // (m, rstd·γ_c, β_c − (μ − m)·rstd·γ_c, c2, c3, act's)
  std::copy_n(a.activation_scalars, P, scalars.begin() + 5);
  // Sets the per-channel scalars of item `item`, channel c; returns γ_c.
  const auto channel_scalars = [&](std::size_t item, std::size_t c) {
    const double gamma = a.gamma ? static_cast<double>(a.gamma[c]) : 1.0;
    const double scale = a.rstd[item] * gamma;
    const double shifted_mean = a.mean_offset[item];
    scalars[1] = static_cast<T>(scale);
    scalars[2] = static_cast<T>((a.beta ? static_cast<double>(a.beta[c]) : 0.0) - shifted_mean * scale);
    return gamma;
  };
  // g of item `item` once the sums are done: dy itself, or the chunk's scratch.
  const auto grad_of = [&](std::size_t item, std::size_t first) -> const T* {
    if constexpr (identity) return a.dy + item * m;
    else return scratch.data() + (item - first) * m;
  };
  for (std::size_t first = begin; first < end; first += chunk) {
    const std::size_t last = std::min(end, first + chunk);
    for (std::size_t item = first; item < last; ++item) {
      const std::size_t n = item / a.groups, g = item % a.groups;
      scalars[0] = static_cast<T>(a.center[item]);
      const double shifted_mean = a.mean_offset[item];
      // A and B lane by lane; each channel's lanes go to sum_dy, sum_dy_xhat.
      std::array<double, kGroupNormSumLanes> item_a{}, item_b{};
      for (std::size_t k = 0; k < per_group; ++k) {
        const std::size_t c = g * per_group + k;
        const double gamma = channel_scalars(item, c);
        const T* x = a.x + item * m + k * a.spatial;
        const T* grad = a.dy + item * m + k * a.spatial;
        if constexpr (!identity) {
          T* channel_scratch = scratch.data() + (item - first) * m + k * a.spatial;
          const T* streams[] = {grad, x};
          ex::Map<typename Kernel::Grad>(streams, scalars.data(), channel_scratch, a.spatial);
          grad = channel_scratch;
        }
        const T* streams[] = {grad, x};
        double lanes[2 * ex::kMaxSumLanes];  // Σg, Σg·(x − m) per lane
        ex::SumReduceLanes<typename Plain::GradSum, typename Plain::GradDotShifted>(streams, scalars.data(), a.spatial,
                                                                                   lanes);
        double* channel_sum_dy = a.sum_dy + (n * a.channels + c) * kGroupNormSumLanes;
        double* channel_sum_dy_xhat = a.sum_dy_xhat + (n * a.channels + c) * kGroupNormSumLanes;
        for (std::size_t j = 0; j < ex::kMaxSumLanes; ++j) {
          const double dot_centered = lanes[ex::kMaxSumLanes + j] - shifted_mean * lanes[j];  // Σg(x − μ)
          channel_sum_dy[j] = lanes[j];
          channel_sum_dy_xhat[j] = dot_centered * a.rstd[item];
          item_a[j] += gamma * lanes[j];
          item_b[j] += gamma * dot_centered;
        }
      }
      sum_a[item - first] = std::accumulate(item_a.begin(), item_a.end(), 0.0);
      sum_b[item - first] = std::accumulate(item_b.begin(), item_b.end(), 0.0);
    }
    if (!a.dx) continue;
    for (std::size_t item = first; item < last; ++item) {
      const std::size_t g = item % a.groups;
      scalars[0] = static_cast<T>(a.center[item]);
      const double shifted_mean = a.mean_offset[item];
      const double rstd = a.rstd[item], inv_m = 1.0 / static_cast<double>(m);
      const double c2 = -sum_b[item - first] * rstd * rstd * rstd * inv_m;
      scalars[3] = static_cast<T>(c2);
      scalars[4] = static_cast<T>(-c2 * shifted_mean - sum_a[item - first] * rstd * inv_m);
      for (std::size_t k = 0; k < per_group; ++k) {
        channel_scalars(item, g * per_group + k);
        const T* streams[] = {grad_of(item, first) + k * a.spatial, a.x + item * m + k * a.spatial};
        ex::Map<typename Plain::InputGrad>(streams, scalars.data(), a.dx + item * m + k * a.spatial, a.spatial);
      }
    }
  }
}

}  // namespace group_norm_detail
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
