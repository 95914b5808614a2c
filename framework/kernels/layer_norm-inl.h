// LayerNorm's forward and backward with an activation epilogue, as templates over the activation's
// expression, compiled once per Highway target: include this from a .cc that goes through
// hwy/foreach_target.h, and instantiate with LUCID_LAYER_NORM_TARGET_KERNELS (layer_norm_epilogue.h).
// The formulas are in layer_norm.h.

#ifndef LUCID_FRAMEWORK_KERNELS_LAYER_NORM_EXPRS_
#define LUCID_FRAMEWORK_KERNELS_LAYER_NORM_EXPRS_
#include <cstddef>
#include <type_traits>

#include "framework/expr/compose.h"
#include "framework/expr/derivative.h"

namespace lucid::kernels::layer_norm_exprs {
namespace e = lucid::expr;

// The row's value at stream I, x, normalised: LayerNorm's x̂ = (x − m)·rstd − o with scalars
// (m, rstd, o = (μ − m)·rstd), or RMSNorm's x·rstd (kCentered false; its m and o are 0).
template <bool kCentered, std::size_t I>
using Shifted = std::conditional_t<kCentered, decltype(e::stream<I> - e::scalar<0>), e::Stream<I>>;
template <bool kCentered, std::size_t I>
using Normalized = std::conditional_t<kCentered, decltype(Shifted<true, I>{} * e::scalar<1> - e::scalar<2>),
                                      decltype(e::stream<I> * e::scalar<1>)>;
// z = x̂·γ + β, γ at stream I + 1 and β at I + 2; RMSNorm has no β.
template <bool kCentered, std::size_t I>
using Affine = std::conditional_t<kCentered, decltype(Normalized<true, I>{} * e::stream<I + 1> + e::stream<I + 2>),
                                  decltype(Normalized<false, I>{} * e::stream<I + 1>)>;
// A row's terms of dγ and dβ from its gradient G (x at stream 1): G·x̂ and G (RMSNorm: G·x̂ alone).
template <bool kCentered, class G>
using AffineGradTerms = std::conditional_t<kCentered, e::Accumulated<decltype(G{} * Normalized<true, 1>{}), G>,
                                           e::Accumulated<decltype(G{} * Normalized<false, 1>{})>>;

// The kernels of act, an expression of stream<0> (the value z it acts on) and its own scalars.
template <class Act, bool kCentered>
struct Epilogue {
  static constexpr std::size_t num_activation_scalars = e::num_scalars<Act>;
  // Forward, streams (x, γ, β), scalars (m, rstd, o, act's...): y = act(z).
  using Forward = e::compose_t<Act, Affine<kCentered, 0>, 3>;

  // Backward, scalars (m, rstd, o, c2, c3, act's...) for all of them. With an activation, streams
  // (dy, x, γ, β): g = dy·act′(z), z recomputed from x; the sums Σg·γ, Σg·γ·(x − m) then read g from
  // registers as the stream after Grad's own (MapAccumulateSumReduce), as do the terms of dγ and dβ.
  using ActDerivative = e::compose_t<decltype(e::d(Act{}, e::stream<0>)), Affine<kCentered, 1>, 5>;
  using Grad = decltype(e::simplify::mul(e::stream<0>, ActDerivative{}));
  static constexpr auto computed_g = e::stream<e::num_streams<Grad>>;
  using ComputedGradSum = decltype(computed_g * e::stream<2>);
  using ComputedGradDotShifted = decltype(computed_g * e::stream<2> * Shifted<kCentered, 1>{});
};

// Once g is at hand (dy itself for the identity), streams (g, x, γ), scalars as the backward's:
// Σg·γ, Σg·γ·(x − m); dx = g·γ·rstd + ((x − m)·c2 + c3) (RMSNorm: c3 = 0, so g·γ·rstd + x·c2).
template <bool kCentered>
struct RowGrad {
  using GradSum = decltype(e::stream<0> * e::stream<2>);
  using GradDotShifted = decltype(e::stream<0> * e::stream<2> * Shifted<kCentered, 1>{});
  using InputGrad = std::conditional_t<
      kCentered, decltype(e::stream<0> * e::stream<2> * e::scalar<1> + (Shifted<true, 1>{} * e::scalar<3> + e::scalar<4>)),
      decltype(e::stream<0> * e::stream<2> * e::scalar<1> + e::stream<1> * e::scalar<3>)>;
};

}  // namespace lucid::kernels::layer_norm_exprs
#endif

// Per-target include guard (Highway's toggle idiom).
#if defined(LUCID_FRAMEWORK_KERNELS_LAYER_NORM_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LUCID_FRAMEWORK_KERNELS_LAYER_NORM_INL_H_
#undef LUCID_FRAMEWORK_KERNELS_LAYER_NORM_INL_H_
#else
#define LUCID_FRAMEWORK_KERNELS_LAYER_NORM_INL_H_
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/layer_norm.h"
#include "framework/kernels/memory_traffic.h"
#include "framework/kernels/norm_statistics-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace layer_norm_detail {

namespace lx = layer_norm_exprs;
namespace ex = lucid::expr::HWY_NAMESPACE;

// Rows run in chunks of about kChunkBytes of input, statistics of the whole chunk first, as GroupNorm's
// items do (group_norm-inl.h): short rows then do not stall on one row's 1/√(σ² + eps).
constexpr std::size_t kChunkBytes = 16 * 1024, kMaxChunkRows = 64;

// The row's scalars (m, rstd, o = (μ − m)·rstd) followed by `tail`.
template <class T, std::size_t N, class Args>
std::array<T, N> RowScalars(const Args& a, std::size_t row, const T* tail) {
  std::array<T, N> s{};
  s[0] = static_cast<T>(a.center[row]);
  s[1] = static_cast<T>(a.rstd[row]);
  s[2] = static_cast<T>(a.mean_offset[row] * a.rstd[row]);
  std::copy_n(tail, N - 3, s.begin() + 3);
  return s;
}

// kCentered: LayerNorm; else RMSNorm, whose m and o are 0 and rstd = 1/√(mean(x²) + eps).
template <class Act, class T, bool kCentered = true>
void ForwardItems(const LayerNormForwardArgs<T>& a, std::size_t begin, std::size_t end) {
  using Kernel = lx::Epilogue<Act, kCentered>;
  constexpr std::size_t P = Kernel::num_activation_scalars;
  const std::size_t n = a.cols;
  if (n == 0) return;
  const std::size_t chunk = std::clamp<std::size_t>(kChunkBytes / (n * sizeof(T)), 1, kMaxChunkRows);
  const bool stream_y = streams_output(a.rows * n * sizeof(T));  // by the whole output's size
  for (std::size_t first = begin; first < end; first += chunk) {
    const std::size_t last = std::min(end, first + chunk);
    for (std::size_t row = first; row < last; ++row) {
      double var = 0.0;  // σ², or RMSNorm's mean(x²)
      if constexpr (kCentered) {
        norm_detail::RobustStatistics(a.x + row * n, n, a.center[row], a.mean_offset[row], var);
      } else {
        var = norm_detail::MeanSquare(a.x + row * n, n);
        a.center[row] = a.mean_offset[row] = 0.0;
      }
      a.rstd[row] = 1.0 / std::sqrt(var + a.eps);
    }
    for (std::size_t row = first; row < last; ++row) {
      if (row + chunk < end) prefetch(a.x + (row + chunk) * n, n);  // the next chunk's statistics read it
      const auto scalars = RowScalars<T, 3 + P>(a, row, a.activation_scalars);
      const T* streams[] = {a.x + row * n, a.gamma, a.beta};
      expr::with_store(stream_y, [&](auto store) {
        ex::Map<typename Kernel::Forward, decltype(store)::value>(streams, scalars.data(), a.y + row * n, n);
      });
    }
  }
  hwy::FlushStream();
}

// Blocks [begin, end) of kLayerNormRowBlock rows. Per row, one pass reads the row from memory: it sums
// Σg·γ and Σg·γ·(x − m) and adds g·x̂ and g into the block's partial dγ, dβ (RMSNorm: dγ alone), with
// an activation forming g = dy·act′(z) in registers and keeping it in a row of scratch; the identity
// reads g = dy directly. A second pass over the row, now in L1, writes dx. (Adding the partials in the
// dx pass instead, beside its non-temporal stores, measured ~10 % slower on (4096, 768) and the same
// on (12608, 384), 2026-12-06.)
template <class Act, class T, bool kCentered = true>
void BackwardItems(const LayerNormBackwardArgs<T>& a, std::size_t begin, std::size_t end) {
  using Kernel = lx::Epilogue<Act, kCentered>;
  using Row = lx::RowGrad<kCentered>;
  constexpr bool identity = std::is_same_v<Act, expr::Stream<0>>;
  constexpr std::size_t P = Kernel::num_activation_scalars;
  const std::size_t n = a.cols, blocks = (a.rows + kLayerNormRowBlock - 1) / kLayerNormRowBlock;
  if (n == 0) return;
  const bool stream_dx = streams_output(a.rows * n * sizeof(T));
  std::vector<T> scratch(identity ? 0 : n);  // g of the current row
  std::array<T, 2 + P> tail{};              // (c2, c3, act's)
  std::copy_n(a.activation_scalars, P, tail.begin() + 2);
  // The row's pass over memory, its partials given as an Accumulated list (empty: no dγ, dβ wanted).
  const auto read_row = [&]<class... Terms>(expr::Accumulated<Terms...> terms, const T* dy, const T* x,
                                             const T* scalars, T* const* partials, double* sums) {
    if constexpr (identity) {
      const T* streams[] = {dy, x, a.gamma};
      ex::MapAccumulateSumReduce<expr::NoOutput>(terms, expr::Summed<typename Row::GradSum, typename Row::GradDotShifted>{},
                                               streams, scalars, static_cast<T*>(nullptr), partials, n, sums);
    } else {
      const T* streams[] = {dy, x, a.gamma, a.beta};
      ex::MapAccumulateSumReduce<typename Kernel::Grad>(
          terms, expr::Summed<typename Kernel::ComputedGradSum, typename Kernel::ComputedGradDotShifted>{}, streams,
          scalars, scratch.data(), partials, n, sums);
    }
  };
  // The terms of dγ and dβ, read from dy (the identity) or from the g just computed.
  using G = std::conditional_t<identity, expr::Stream<0>, std::remove_const_t<decltype(Kernel::computed_g)>>;
  using Terms = lx::AffineGradTerms<kCentered, G>;
  for (std::size_t block = begin; block < end; ++block) {
    T* partials[] = {a.column_partials ? a.column_partials + block * n : nullptr,
                     a.column_partials ? a.column_partials + (blocks + block) * n : nullptr};
    if (a.column_partials) {
      std::fill_n(partials[0], n, T(0));
      if (kCentered) std::fill_n(partials[1], n, T(0));
    }
    for (std::size_t row = block * kLayerNormRowBlock; row < std::min(a.rows, (block + 1) * kLayerNormRowBlock);
         ++row) {
      const T* x = a.x + row * n;
      auto scalars = RowScalars<T, 5 + P>(a, row, tail.data());
      double sums[2];
      if (a.column_partials) {
        read_row(Terms{}, a.dy + row * n, x, scalars.data(), partials, sums);
      } else {
        read_row(expr::Accumulated<>{}, a.dy + row * n, x, scalars.data(), partials, sums);
      }
      if (!a.dx) continue;
      const double rstd = a.rstd[row], inv_n = 1.0 / static_cast<double>(n);
      const double dot_centered = sums[1] - a.mean_offset[row] * sums[0];  // Σg·γ·(x − μ)
      const double c2 = -dot_centered * rstd * rstd * rstd * inv_n;
      scalars[3] = static_cast<T>(c2);
      scalars[4] = kCentered ? static_cast<T>(-c2 * a.mean_offset[row] - sums[0] * rstd * inv_n) : T(0);
      const T* streams[] = {identity ? a.dy + row * n : scratch.data(), x, a.gamma};
      expr::with_store(stream_dx, [&](auto store) {
        ex::Map<typename Row::InputGrad, decltype(store)::value>(streams, scalars.data(), a.dx + row * n, n);
      });
    }
  }
  hwy::FlushStream();
}

}  // namespace layer_norm_detail

// RMSNorm's kernels: LayerNorm's without the centering and the bias (layer_norm.h).
namespace rms_norm_detail {
template <class Act, class T>
void ForwardItems(const LayerNormForwardArgs<T>& a, std::size_t begin, std::size_t end) {
  layer_norm_detail::ForwardItems<Act, T, false>(a, begin, end);
}
template <class Act, class T>
void BackwardItems(const LayerNormBackwardArgs<T>& a, std::size_t begin, std::size_t end) {
  layer_norm_detail::BackwardItems<Act, T, false>(a, begin, end);
}
}  // namespace rms_norm_detail
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
