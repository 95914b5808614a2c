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
  // The same two sums when g was just computed and sits in registers as stream<2> (MapSumReduceSegments).
  static constexpr auto computed_g = e::stream<2>;
  using ComputedGradSum = decltype(computed_g);
  using ComputedGradDotShifted = decltype(computed_g * (x - m));
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
#include <span>
#include <type_traits>
#include <vector>

#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/group_norm.h"
#include "framework/kernels/max_pool_2x2.h"
#include "framework/kernels/memory_traffic.h"
#include "framework/kernels/norm_statistics-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace group_norm_detail {

namespace gx = group_norm_exprs;
namespace ex = lucid::expr::HWY_NAMESPACE;

// Items run in chunks of about kChunkBytes of input: first the statistics of every item of the chunk,
// then normalise+affine channel by channel while the chunk is still in cache. Small groups thus do not
// stall on one item's scalar 1/√(σ² + eps) before its output can be written.
constexpr std::size_t kChunkBytes = 16 * 1024, kMaxChunkItems = 64;

// The scalars of one item's channels for the kernels' expressions, `stride` per channel: (m, a_c, b_c)
// with m = the center, a_c = rstd·γ_c, b_c = β_c − (μ − m)·a_c, then what the caller fills in.
template <class T>
class ChannelScalars {
 public:
  ChannelScalars(std::size_t per_group, std::size_t stride) : values_(per_group * stride), stride_(stride) {}
  // The item's (m, a_c, b_c) for every channel, and `tail` (the activation's scalars, and for the
  // backward c2, c3 before them) after them.
  template <class Args>
  void set(const Args& a, std::size_t item, std::span<const T> tail) {
    const std::size_t per_group = values_.size() / stride_;
    const std::size_t first_channel = (item % a.groups) * per_group;
    for (std::size_t k = 0; k < per_group; ++k) {
      const std::size_t c = first_channel + k;
      const double scale = a.rstd[item] * (a.gamma ? static_cast<double>(a.gamma[c]) : 1.0);
      T* channel = values_.data() + k * stride_;
      channel[0] = static_cast<T>(a.center[item]);
      channel[1] = static_cast<T>(scale);
      channel[2] = static_cast<T>((a.beta ? static_cast<double>(a.beta[c]) : 0.0) - a.mean_offset[item] * scale);
      std::copy(tail.begin(), tail.end(), channel + 3);
    }
  }
  const T* data() const { return values_.data(); }
  std::size_t stride() const { return stride_; }

 private:
  std::vector<T> values_;
  std::size_t stride_;
};

template <class Act, class T>
void ForwardItems(const GroupNormForwardArgs<T>& a, std::size_t begin, std::size_t end) {
  using Kernel = gx::Epilogue<Act>;
  constexpr std::size_t P = Kernel::num_activation_scalars;
  const std::size_t per_group = a.channels / a.groups;
  const std::size_t m = per_group * a.spatial;
  if (m == 0) return;
  const std::size_t chunk = std::clamp<std::size_t>(kChunkBytes / (m * sizeof(T)), 1, kMaxChunkItems);
  const bool stream_y = streams_output(a.batch * a.groups * m * sizeof(T));  // by the whole output's size
  ChannelScalars<T> scalars(per_group, 3 + P);
  const std::span<const T> activation_scalars(a.activation_scalars, P);
  // With the pooled epilogue, an item's act(z) goes to this buffer (it stays in cache) and is pooled from it.
  std::vector<T> item_y(a.pooled ? m : 0);
  const std::size_t out_h = a.height / 2, out_w = a.width / 2;
  for (std::size_t first = begin; first < end; first += chunk) {
    const std::size_t last = std::min(end, first + chunk);
    for (std::size_t item = first; item < last; ++item) {
      double var;
      norm_detail::RobustStatistics(a.x + item * m, m, a.center[item], a.mean_offset[item], var);
      a.rstd[item] = 1.0 / std::sqrt(var + a.eps);
    }
    for (std::size_t item = first; item < last; ++item) {
      if (item + chunk < end) prefetch(a.x + (item + chunk) * m, m);  // the next chunk's statistics read it
      scalars.set(a, item, activation_scalars);
      const T* x = a.x + item * m;
      if (a.pooled) {
        ex::MapSegments<typename Kernel::Forward>(&x, scalars.data(), scalars.stride(), item_y.data(), per_group,
                                                  a.spatial);
        for (std::size_t k = 0; k < per_group; ++k) {  // plane item·per_group + k is channel (n, g·per_group + k)
          const std::size_t plane = item * per_group + k;
          max_pool_2x2(item_y.data() + k * a.spatial, a.width, out_h, out_w, a.pooled + plane * out_h * out_w,
                       a.argmax + plane * out_h * out_w);
        }
        continue;
      }
      expr::with_store(stream_y, [&](auto store) {
        ex::MapSegments<typename Kernel::Forward, decltype(store)::value>(&x, scalars.data(), scalars.stride(),
                                                                          a.y + item * m, per_group, a.spatial);
      });
    }
  }
  hwy::FlushStream();
}

// The same chunking as the forward: per-channel sums of every item of the chunk first, then dx. With an
// activation, one pass per item forms g = dy·act′(z) in registers (z recomputed from x), stores it to a
// scratch buffer for the dx pass and sums Σg, Σg·(x − m) per channel from the same registers, so act′
// is evaluated once per element and g is read once more, by the dx pass.
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
  const bool stream_dx = streams_output(a.batch * a.groups * m * sizeof(T));
  std::vector<T> scratch(identity ? 0 : chunk * m);     // g of the chunk's items
  std::vector<T> expanded(a.pooled_dy ? chunk * m : 0);  // dy of the chunk's items, from pooled_dy
  const std::size_t outputs = (a.height / 2) * (a.width / 2);  // a pooled plane
  // dy of item `item`: a.dy's, or expanded from the pooled gradient into the chunk's buffer.
  const auto dy_of = [&](std::size_t item, std::size_t first) -> const T* {
    if (!a.pooled_dy) return a.dy + item * m;
    T* out = expanded.data() + (item - first) * m;
    for (std::size_t k = 0; k < per_group; ++k) {
      const std::size_t plane = item * per_group + k;
      max_unpool_2x2(a.pooled_dy + plane * outputs, a.argmax + plane * outputs, a.spatial, outputs, out + k * a.spatial);
    }
    return out;
  };
  std::vector<double> channel_sums(2 * per_group);      // Σg, Σg·(x − m) of each channel of an item
  double sum_a[kMaxChunkItems], sum_b[kMaxChunkItems];  // A = Σ_c γ_c Σg, B = Σ_c γ_c Σg(x − μ) per item
  ChannelScalars<T> scalars(per_group, 5 + P);          // (m, a_c, b_c, c2, c3, act's)
  std::array<T, 2 + P> tail{};                          // (c2, c3, act's)
  std::copy_n(a.activation_scalars, P, tail.begin() + 2);
  // g of item `item` once dy_of(item) ran: dy itself, or the chunk's scratch.
  const auto grad_of = [&](std::size_t item, std::size_t first) -> const T* {
    if constexpr (identity) return a.pooled_dy ? expanded.data() + (item - first) * m : a.dy + item * m;
    else return scratch.data() + (item - first) * m;
  };
  for (std::size_t first = begin; first < end; first += chunk) {
    const std::size_t last = std::min(end, first + chunk);
    for (std::size_t item = first; item < last; ++item) {
      const std::size_t n = item / a.groups, g = item % a.groups;
      const T* x = a.x + item * m;
      const T* dy = dy_of(item, first);
      const T center = static_cast<T>(a.center[item]);
      if constexpr (identity) {
        for (std::size_t k = 0; k < per_group; ++k) {
          const T* streams[] = {dy + k * a.spatial, x + k * a.spatial};
          ex::SumReduce<typename Plain::GradSum, typename Plain::GradDotShifted>(streams, &center, a.spatial,
                                                                                 &channel_sums[2 * k]);
        }
      } else {
        scalars.set(a, item, tail);
        const T* streams[] = {dy, x};
        ex::MapSumReduceSegments<typename Kernel::Grad, typename Kernel::ComputedGradSum,
                                 typename Kernel::ComputedGradDotShifted>(
            streams, scalars.data(), scalars.stride(), scratch.data() + (item - first) * m, per_group, a.spatial,
            channel_sums.data());
      }
      const double shifted_mean = a.mean_offset[item];
      double item_a = 0.0, item_b = 0.0;
      for (std::size_t k = 0; k < per_group; ++k) {
        const std::size_t c = g * per_group + k;
        const double gamma = a.gamma ? static_cast<double>(a.gamma[c]) : 1.0;
        const double sum = channel_sums[2 * k];
        const double dot_centered = channel_sums[2 * k + 1] - shifted_mean * sum;  // Σg(x − μ)
        a.sum_dy[n * a.channels + c] = sum;
        a.sum_dy_xhat[n * a.channels + c] = dot_centered * a.rstd[item];
        item_a += gamma * sum;
        item_b += gamma * dot_centered;
      }
      sum_a[item - first] = item_a;
      sum_b[item - first] = item_b;
    }
    if (!a.dx) continue;
    for (std::size_t item = first; item < last; ++item) {
      const double rstd = a.rstd[item], inv_m = 1.0 / static_cast<double>(m);
      const double c2 = -sum_b[item - first] * rstd * rstd * rstd * inv_m;
      tail[0] = static_cast<T>(c2);
      tail[1] = static_cast<T>(-c2 * a.mean_offset[item] - sum_a[item - first] * rstd * inv_m);
      scalars.set(a, item, tail);
      const T* streams[] = {grad_of(item, first), a.x + item * m};
      expr::with_store(stream_dx, [&](auto store) {
        ex::MapSegments<typename Plain::InputGrad, decltype(store)::value>(streams, scalars.data(), scalars.stride(),
                                                                           a.dx + item * m, per_group, a.spatial);
      });
    }
  }
  hwy::FlushStream();
}

}  // namespace group_norm_detail
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
