// The SIMD evaluator of expression templates, compiled once per Highway target (include it from a
// .cc that goes through hwy/foreach_target.h). Map writes one expression over streams; SumReduce
// evaluates several expressions and sums each, all in a single pass over memory (SumReduceSegments over
// strided runs); MapSumReduceSegments writes one and sums several; MapAccumulateSumReduce writes one (or
// none), adds several into arrays and sums several.

// Per-target include guard (Highway's toggle idiom).
#if defined(LUCID_FRAMEWORK_EXPR_EVALUATE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LUCID_FRAMEWORK_EXPR_EVALUATE_INL_H_
#undef LUCID_FRAMEWORK_EXPR_EVALUATE_INL_H_
#else
#define LUCID_FRAMEWORK_EXPR_EVALUATE_INL_H_
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "framework/expr/erf-inl.h"
#include "framework/expr/exp-inl.h"
#include "framework/expr/expr.h"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::expr::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;

// Evaluates one expression for one SIMD vector of elements: the streams' values for this vector
// are loaded before (each stream once), scalars were broadcast before the loop; the whole tree is
// then computed in registers. One member overload per node kind; a·b ± c is matched at compile time
// and emitted as a fused multiply-add, since -std=c++20 does not let GCC contract it.
template <class D, std::size_t NS, std::size_t NP>
struct Evaluator {
  using T = hn::TFromD<D>;
  using V = hn::Vec<D>;
  D d;
  std::array<V, NS> x;  // stream values of the current vector
  std::array<V, NP> s;  // broadcast scalars

  template <std::size_t I>
  HWY_INLINE V operator()(Stream<I>) const { return x[I]; }
  template <std::size_t I>
  HWY_INLINE V operator()(Scalar<I>) const { return s[I]; }
  template <double C>
  HWY_INLINE V operator()(Constant<C>) const { return hn::Set(d, static_cast<T>(C)); }

  template <class A, class B>
  HWY_INLINE V operator()(Node<AddOp, A, B>) const { return hn::Add((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  HWY_INLINE V operator()(Node<SubOp, A, B>) const { return hn::Sub((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  HWY_INLINE V operator()(Node<MulOp, A, B>) const { return hn::Mul((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  HWY_INLINE V operator()(Node<DivOp, A, B>) const { return hn::Div((*this)(A{}), (*this)(B{})); }

  // a·b + c, c + a·b, a·b + c·e → MulAdd; a·b − c → MulSub; c − a·b → NegMulAdd.
  template <class A, class B, class C>
  HWY_INLINE V operator()(Node<AddOp, Node<MulOp, A, B>, C>) const {
    return hn::MulAdd((*this)(A{}), (*this)(B{}), (*this)(C{}));
  }
  template <class A, class B, class C>
  HWY_INLINE V operator()(Node<AddOp, C, Node<MulOp, A, B>>) const {
    return hn::MulAdd((*this)(A{}), (*this)(B{}), (*this)(C{}));
  }
  template <class A, class B, class C, class E>
  HWY_INLINE V operator()(Node<AddOp, Node<MulOp, A, B>, Node<MulOp, C, E>>) const {
    return hn::MulAdd((*this)(A{}), (*this)(B{}), (*this)(Node<MulOp, C, E>{}));
  }
  template <class A, class B, class C>
  HWY_INLINE V operator()(Node<SubOp, Node<MulOp, A, B>, C>) const {
    return hn::MulSub((*this)(A{}), (*this)(B{}), (*this)(C{}));
  }
  template <class A, class B, class C>
  HWY_INLINE V operator()(Node<SubOp, C, Node<MulOp, A, B>>) const {
    return hn::NegMulAdd((*this)(A{}), (*this)(B{}), (*this)(C{}));
  }
  template <class A, class B, class C, class E>
  HWY_INLINE V operator()(Node<SubOp, Node<MulOp, A, B>, Node<MulOp, C, E>>) const {
    return hn::MulSub((*this)(A{}), (*this)(B{}), (*this)(Node<MulOp, C, E>{}));
  }

  template <class A>
  HWY_INLINE V operator()(Node<NegOp, A>) const { return hn::Neg((*this)(A{})); }
  template <class A>
  HWY_INLINE V operator()(Node<AbsOp, A>) const { return hn::Abs((*this)(A{})); }
  // min/max as selects: b when it wins or is NaN, else a; so a NaN in either operand propagates
  // (PyTorch's minimum/maximum) on every target.
  template <class A, class B>
  HWY_INLINE V operator()(Node<MinOp, A, B>) const {
    const V a = (*this)(A{}), b = (*this)(B{});
    return hn::IfThenElse(hn::Or(hn::Lt(b, a), hn::IsNaN(b)), b, a);
  }
  template <class A, class B>
  HWY_INLINE V operator()(Node<MaxOp, A, B>) const {
    const V a = (*this)(A{}), b = (*this)(B{});
    return hn::IfThenElse(hn::Or(hn::Gt(b, a), hn::IsNaN(b)), b, a);
  }
  // ln a, with log 0 = −inf, log of a negative = NaN, log +inf = +inf, NaN stays NaN (IEEE / std::log).
  HWY_INLINE V LogIeee(V a) const {
    const V zero = hn::Zero(d);
    const V inf = hn::Set(d, std::numeric_limits<T>::infinity());
    V l = hn::Log(d, a);
    l = hn::IfThenElse(hn::Eq(a, inf), inf, l);
    l = hn::IfThenElse(hn::Eq(a, zero), hn::Neg(inf), l);
    return hn::IfThenElse(hn::Not(hn::Ge(a, zero)), hn::Set(d, std::numeric_limits<T>::quiet_NaN()), l);
  }
  template <class A>
  HWY_INLINE V operator()(Node<ExpOp, A>) const { return ExpIeee(d, (*this)(A{})); }
  template <class A>
  HWY_INLINE V operator()(Node<LogOp, A>) const { return LogIeee((*this)(A{})); }
  template <class A>
  HWY_INLINE V operator()(Node<SqrtOp, A>) const { return hn::Sqrt((*this)(A{})); }
  template <class A>
  HWY_INLINE V operator()(Node<RsqrtOp, A>) const { return hn::Div(hn::Set(d, T(1)), hn::Sqrt((*this)(A{}))); }
  // exp, tanh, sigmoid and the σ'(a) below use exp-inl.h (its header lists their measured accuracy:
  // ≤ 1 ulp for exp, ≤ 4 ulp for the others, float32 and float64).
  // tanh|a| = −m/(2 + m) with m = e^(−2|a|) − 1 ∈ (−1, 0] for |a| < ½ (no cancellation near 0: m is
  // e^x − 1 computed as such), and 1 − 2e/(1 + e) with e = 1 + m (exact there) above, accurate to
  // about half an ulp as tanh nears 1 (where 1 − tanh², the derivative, is read). One reciprocal,
  // 1/(2 + m), serves both; no overflow, no division. Below −2|a| = kFloor, m rounds to −1 (tanh to 1),
  // so the argument is clamped there, keeping 2^q normal; NaN passes the select and propagates.
  template <class A>
  HWY_INLINE V operator()(Node<TanhOp, A>) const {
    const V a = (*this)(A{});
    constexpr T kFloor = std::is_same_v<T, float> ? T(-20) : T(-40);  // e^kFloor < ulp(1)/8
    const V one = hn::Set(d, T(1));
    const V z = hn::Mul(hn::Abs(a), hn::Set(d, T(-2)));
    const V m = Expm1NormalRange(d, hn::IfThenElse(hn::Lt(z, hn::Set(d, kFloor)), hn::Set(d, kFloor), z));
    const V r = Reciprocal(d, hn::Add(m, hn::Set(d, T(2))));
    const V large = hn::NegMulAdd(hn::Add(hn::Add(m, one), hn::Add(m, one)), r, one);
    const V t = hn::IfThenElse(hn::Lt(z, hn::Set(d, T(-1))), large, hn::Mul(hn::Neg(m), r));
    return hn::CopySign(t, a);
  }
  template <class A>
  HWY_INLINE V operator()(Node<ErfOp, A>) const { return Erf(d, (*this)(A{})); }
  // ln(1 + a) as std::log1p: Highway's Log1p (ln(1 + a)·a/((1 + a) − 1), which also holds on (−1, 0)),
  // with −inf at a = −1, NaN below −1 and for NaN, +inf at +inf; log1p(±0) = ±0.
  template <class A>
  HWY_INLINE V operator()(Node<Log1pOp, A>) const {
    const V a = (*this)(A{});
    const V one = hn::Set(d, T(1));
    const V inf = hn::Set(d, std::numeric_limits<T>::infinity());
    V l = hn::Log1p(d, a);
    l = hn::IfThenElse(hn::Eq(a, inf), inf, l);
    l = hn::IfThenElse(hn::Eq(a, hn::Neg(one)), hn::Neg(inf), l);
    return hn::IfThenElse(hn::Not(hn::Ge(a, hn::Neg(one))), hn::Set(d, std::numeric_limits<T>::quiet_NaN()), l);
  }
  // eᵃ − 1 as std::expm1: 2^q·(e^r − 1) + (2^q − 1) (exp-inl.h) on a clamped to [kFloor, kCeil], where 2^q
  // stays normal; below kFloor that rounds to −1 (also for −inf), above kCeil eᵃ − 1 = eᵃ (+inf on
  // overflow). NaN passes the clamps and propagates.
  template <class A>
  HWY_INLINE V operator()(Node<Expm1Op, A>) const {
    const V a = (*this)(A{});
    constexpr T kFloor = std::is_same_v<T, float> ? T(-20) : T(-40);  // e^kFloor < ulp(1)/8
    constexpr T kCeil = std::is_same_v<T, float> ? T(88) : T(709);    // round(kCeil/ln 2) ≤ max exponent
    const V lo = hn::Set(d, kFloor), hi = hn::Set(d, kCeil);
    const V clamped = hn::IfThenElse(hn::Gt(a, hi), hi, hn::IfThenElse(hn::Lt(a, lo), lo, a));
    const V m = Expm1NormalRange(d, clamped);
    return hn::IfThenElse(hn::Gt(a, hi), hn::Sub(ExpIeee(d, a), hn::Set(d, T(1))), m);
  }
  // sin a and cos a: Highway's (≤ 3 ulp, its valid range |a| ≤ 39000); lanes outside it, ±inf and NaN
  // take std::sin / std::cos (NaN for ±inf and NaN, as PyTorch), so any input is exact to that bound.
  template <class A>
  HWY_INLINE V operator()(Node<SinOp, A>) const { return SinOrCos</*kSin=*/true>((*this)(A{})); }
  template <class A>
  HWY_INLINE V operator()(Node<CosOp, A>) const { return SinOrCos</*kSin=*/false>((*this)(A{})); }
  template <bool kSin>
  HWY_INLINE V SinOrCos(V a) const {
    constexpr T kValidRange = T(39000);
    V r = kSin ? hn::Sin(d, a) : hn::Cos(d, a);
    const auto outside = hn::Not(hn::Le(hn::Abs(a), hn::Set(d, kValidRange)));
    if (HWY_UNLIKELY(!hn::AllFalse(d, outside))) {
      alignas(64) T in[hn::MaxLanes(D())], out[hn::MaxLanes(D())];
      hn::Store(a, d, in);
      hn::Store(r, d, out);
      for (std::size_t i = 0; i < hn::Lanes(d); ++i) {
        if (!(std::abs(in[i]) <= kValidRange)) out[i] = kSin ? std::sin(in[i]) : std::cos(in[i]);
      }
      r = hn::Load(d, out);
    }
    return r;
  }
  // ⌊a⌋, ⌈a⌉ and round-half-to-even (PyTorch's round); ±inf, NaN and ±0 stay as they are.
  template <class A>
  HWY_INLINE V operator()(Node<FloorOp, A>) const { return hn::Floor((*this)(A{})); }
  template <class A>
  HWY_INLINE V operator()(Node<CeilOp, A>) const { return hn::Ceil((*this)(A{})); }
  template <class A>
  HWY_INLINE V operator()(Node<RoundOp, A>) const { return hn::Round((*this)(A{})); }

  // σ(a) and σ(−a) from one exponential and one reciprocal: with e = e^(−|a|) ∈ [0, 1] (never
  // overflows) and r = 1/(1 + e), σ(|a|) = r and σ(−|a|) = e·r. NaN propagates.
  struct SigmoidParts {
    V e, r;
  };
  HWY_INLINE SigmoidParts Sigmoid(V a) const {
    const V e = ExpIeee</*kMayOverflow=*/false>(d, hn::Neg(hn::Abs(a)));
    return {e, Reciprocal(d, hn::Add(hn::Set(d, T(1)), e))};
  }
  // σ(a) = 1/(1 + e⁻ᵃ): r for a ≥ 0, e·r below.
  template <class A>
  HWY_INLINE V operator()(Node<SigmoidOp, A>) const {
    const V a = (*this)(A{});
    const SigmoidParts p = Sigmoid(a);
    return hn::IfThenElse(hn::Lt(a, hn::Zero(d)), hn::Mul(p.e, p.r), p.r);
  }
  // σ(a)·σ(−a) = e·r², the derivative σ'(a) that derivative.h writes in this form: one exponential
  // and one reciprocal instead of two of each.
  template <class A>
  HWY_INLINE V operator()(Node<MulOp, Node<SigmoidOp, A>, Node<SigmoidOp, Node<NegOp, A>>>) const {
    const SigmoidParts p = Sigmoid((*this)(A{}));
    return hn::Mul(hn::Mul(p.e, p.r), p.r);
  }

  template <class A, class B>
  HWY_INLINE auto operator()(Node<LessOp, A, B>) const { return hn::Lt((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  HWY_INLINE auto operator()(Node<GreaterOp, A, B>) const { return hn::Gt((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  HWY_INLINE auto operator()(Node<LessEqualOp, A, B>) const { return hn::Le((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  HWY_INLINE auto operator()(Node<EqualOp, A, B>) const { return hn::Eq((*this)(A{}), (*this)(B{})); }
  template <class C, class A, class B>
  HWY_INLINE V operator()(Node<SelectOp, C, A, B>) const {
    return hn::IfThenElse((*this)(C{}), (*this)(A{}), (*this)(B{}));
  }
};

namespace detail {

template <class D, class T, std::size_t... I>
HWY_INLINE std::array<hn::Vec<D>, sizeof...(I)> LoadStreams([[maybe_unused]] D d, const std::array<const T*, sizeof...(I)>& in,
                                                            [[maybe_unused]] std::size_t i, std::index_sequence<I...>) {
  return {hn::LoadU(d, in[I] + i)...};
}

// The first `count` (< lanes) elements at p, zeros after them, reading nothing past p + count.
// Highway 1.0.3 implements MaskedLoad on SSSE3/SSE4 as an *aligned* full-vector Load, which faults on
// unaligned tails; there the tail goes through a zeroed aligned buffer instead.
template <class D, class T>
HWY_INLINE hn::Vec<D> LoadTail(D d, [[maybe_unused]] hn::Mask<D> mask, const T* p, [[maybe_unused]] std::size_t count) {
#if HWY_TARGET == HWY_SSSE3 || HWY_TARGET == HWY_SSE4
  alignas(64) T buffer[hn::MaxLanes(d)] = {};
  std::copy_n(p, count, buffer);
  return hn::Load(d, buffer);
#else
  return hn::MaskedLoad(mask, d, p);
#endif
}

// How many elements from p a streamed loop writes with masked stores before p is aligned for
// hn::Stream (at most `remaining`); none for a cached one, whose StoreU takes any address.
template <Store kStore, class D, class T>
HWY_INLINE std::size_t UnalignedHead(D d, const T* p, std::size_t remaining) {
  if constexpr (kStore == Store::cached) {
    return 0;
  } else {
    const std::size_t lanes = hn::Lanes(d);
    const std::size_t misaligned = reinterpret_cast<std::uintptr_t>(p) / sizeof(T) % lanes;
    return misaligned == 0 ? 0 : std::min(remaining, lanes - misaligned);
  }
}

// One full vector to p: StoreU, or for a streamed output a non-temporal hn::Stream (p aligned).
template <Store kStore, class D, class T>
HWY_INLINE void StoreVector(hn::Vec<D> v, D d, T* HWY_RESTRICT p) {
  if constexpr (kStore == Store::streamed) {
    hn::Stream(v, d, p);
  } else {
    hn::StoreU(v, d, p);
  }
}

template <class D, class T, std::size_t... I>
HWY_INLINE std::array<hn::Vec<D>, sizeof...(I)> MaskedLoadStreams([[maybe_unused]] D d, [[maybe_unused]] hn::Mask<D> m,
                                                                  const std::array<const T*, sizeof...(I)>& in,
                                                                  [[maybe_unused]] std::size_t i,
                                                                  [[maybe_unused]] std::size_t count,
                                                                  std::index_sequence<I...>) {
  return {LoadTail(d, m, in[I] + i, count)...};
}

template <class D, class T, std::size_t... I>
HWY_INLINE std::array<hn::Vec<D>, sizeof...(I)> BroadcastScalars([[maybe_unused]] D d, [[maybe_unused]] const T* scalars, std::index_sequence<I...>) {
  return {hn::Set(d, scalars[I])...};
}

template <class T, std::size_t N>
HWY_INLINE std::array<const T*, N> CopyPointers(const T* const* in) {
  std::array<const T*, N> out{};
  for (std::size_t k = 0; k < N; ++k) out[k] = in[k];
  return out;
}

}  // namespace detail

// Map over `segments` consecutive runs of `length` elements, run k evaluated with its own scalars
// (scalars + k·scalar_stride): out[k·length + i] = E(in[·][k·length + i], scalars of k). One call
// for many short runs (GroupNorm's channels of a group) sets up the loop and E's constants once. Each
// run's tail is one masked vector.
template <class E, Store kStore = Store::cached, class T>
HWY_INLINE void MapSegments(const T* const* HWY_RESTRICT in, const T* HWY_RESTRICT scalars, std::size_t scalar_stride,
                            T* HWY_RESTRICT out, std::size_t segments, std::size_t length) {
  constexpr std::size_t NS = num_streams<E>, NP = num_scalars<E>;
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto streams = detail::CopyPointers<T, NS>(in);  // locals: stores to out cannot alias them
  Evaluator<decltype(d), NS, NP> eval{d, {}, {}};
  for (std::size_t segment = 0, base = 0; segment < segments; ++segment, base += length) {
    eval.s = detail::BroadcastScalars(d, scalars + segment * scalar_stride, std::make_index_sequence<NP>());
    const auto masked_step = [&](std::size_t i, std::size_t count) {
      const auto mask = hn::FirstN(d, count);
      eval.x = detail::MaskedLoadStreams(d, mask, streams, i, count, std::make_index_sequence<NS>());
      hn::BlendedStore(eval(E{}), mask, d, out + i);
    };
    std::size_t i = base;
    const std::size_t end = base + length;
    if (const std::size_t head = detail::UnalignedHead<kStore>(d, out + i, end - i)) {
      masked_step(i, head);
      i += head;
    }
    for (; i + lanes <= end; i += lanes) {
      eval.x = detail::LoadStreams(d, streams, i, std::make_index_sequence<NS>());
      detail::StoreVector<kStore>(eval(E{}), d, out + i);
    }
    if (i < end) masked_step(i, end - i);
  }
}

// out[i] = E(in[0][i], in[1][i], ..., scalars) for i in [0, n). The tail is one masked vector.
template <class E, Store kStore = Store::cached, class T>
HWY_INLINE void Map(const T* const* HWY_RESTRICT in, const T* HWY_RESTRICT scalars, T* HWY_RESTRICT out,
                    std::size_t n) {
  MapSegments<E, kStore>(in, scalars, 0, out, 1, n);
}

namespace detail {

// acc + E: an expression a·b is accumulated with one fused multiply-add.
template <class Eval, class V, class E>
HWY_INLINE V Accumulate(const Eval& eval, V acc, E) {
  return hn::Add(acc, eval(E{}));
}
template <class Eval, class V, class A, class B>
HWY_INLINE V Accumulate(const Eval& eval, V acc, Node<MulOp, A, B>) {
  return hn::MulAdd(eval(A{}), eval(B{}), acc);
}

// R running sums of vectors of T kept in float64 lanes: float32 vectors are widened half by half, so
// adding a block's partial sums costs a few vector instructions and no horizontal reduction.
template <class D, std::size_t R>
class WideSums {
  using T = hn::TFromD<D>;
#if HWY_TARGET == HWY_SCALAR
  std::array<double, R> sums_{};  // one lane: plain doubles

 public:
  HWY_INLINE void Add(std::size_t r, hn::Vec<D> v) { sums_[r] += static_cast<double>(hn::GetLane(v)); }
  HWY_INLINE double Total(std::size_t r) const { return sums_[r]; }
#else
  using DW = hn::Repartition<double, D>;
  std::array<hn::Vec<DW>, R> lower_, upper_;  // upper_ stays zero when T is double

 public:
  WideSums() {
    for (std::size_t r = 0; r < R; ++r) lower_[r] = upper_[r] = hn::Zero(DW());
  }
  HWY_INLINE void Add(std::size_t r, hn::Vec<D> v) {
    if constexpr (sizeof(T) == sizeof(double)) {
      lower_[r] = hn::Add(lower_[r], v);
    } else {
      const hn::Half<D> dh;
      lower_[r] = hn::Add(lower_[r], hn::PromoteTo(DW(), hn::LowerHalf(dh, v)));
      upper_[r] = hn::Add(upper_[r], hn::PromoteTo(DW(), hn::UpperHalf(dh, v)));
    }
  }
  HWY_INLINE double Total(std::size_t r) const {
    return hn::GetLane(hn::SumOfLanes(DW(), hn::Add(lower_[r], upper_[r])));
  }
#endif
};

}  // namespace detail

// sums[r] = Σᵢ Eᵣ(in[·][i], scalars) for every expression Eᵣ, in one pass. The R expressions share
// four independent vector accumulators in T (kUnroll each, so the adds pipeline instead of waiting
// on each other); every kBlockVectors vectors they are folded and added into float64 lanes, which
// are summed once at the end. Folding and widening cost about R·(kUnroll + 4) vector instructions
// per block, so blocks are 8·R vectors long: with 8-vector blocks for R = 2, GroupNorm's statistics
// pass was compute-bound, 20-30 % slower than a plain float loop on L3-resident data (AVX-512,
// measured 2026-12). T-precision partial sums cover at most kBlockVectors terms per lane: a float32
// sum of 10⁷ values stays within 1e-6 of the float64 sum (tests/framework/reduce_precision_test.cc).
// The order of every addition depends on n alone, so results are deterministic.
//
// SumReduceSegments sums over `segments` runs of `length` elements, run k starting at k·stride (BatchNorm's
// channel: one run of spatial values per sample, C·spatial apart), into the same accumulators: SumReduce
// is its one-run case, with the same additions in the same order.
template <class... Es, class T>
HWY_INLINE void SumReduceSegments(const T* const* HWY_RESTRICT in, const T* HWY_RESTRICT scalars, std::size_t segments,
                                  std::size_t length, std::size_t stride, double* HWY_RESTRICT sums) {
  constexpr std::size_t R = sizeof...(Es);
  constexpr std::size_t NS = std::max({num_streams<Es>...}), NP = std::max({num_scalars<Es>...});
  constexpr std::size_t kUnroll = std::max<std::size_t>(1, 4 / R), kBlockVectors = 8 * R;
  const hn::ScalableTag<T> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t lanes = hn::Lanes(d);
  const auto streams = detail::CopyPointers<T, NS>(in);
  Evaluator<decltype(d), NS, NP> eval{d, {}, detail::BroadcastScalars(d, scalars, std::make_index_sequence<NP>())};
  detail::WideSums<decltype(d), R> wide;
  const auto for_each_expression = [](auto&& fn) {
    [&]<std::size_t... r>(std::index_sequence<r...>) { (fn(std::integral_constant<std::size_t, r>(), Es{}), ...); }(
        std::make_index_sequence<R>());
  };
  const auto for_each_unrolled = [](auto&& fn) {
    [&]<std::size_t... u>(std::index_sequence<u...>) { (fn(std::integral_constant<std::size_t, u>()), ...); }(
        std::make_index_sequence<kUnroll>());
  };
  std::array<std::array<V, kUnroll>, R> acc;
  for (std::size_t segment = 0, base = 0; segment < segments; ++segment, base += stride) {
    const std::size_t end = base + length, full = end - length % lanes;
    std::size_t i = base;
    while (i < full) {
      for_each_expression([&](auto r, auto) { for_each_unrolled([&](auto u) { acc[r][u] = hn::Zero(d); }); });
      const std::size_t block_end = std::min(full, i + kBlockVectors * lanes);
      for (; i + kUnroll * lanes <= block_end; i += kUnroll * lanes) {
        for_each_unrolled([&](auto u) {
          eval.x = detail::LoadStreams(d, streams, i + u * lanes, std::make_index_sequence<NS>());
          for_each_expression([&](auto r, auto e) { acc[r][u] = detail::Accumulate(eval, acc[r][u], e); });
        });
      }
      for (; i < block_end; i += lanes) {
        eval.x = detail::LoadStreams(d, streams, i, std::make_index_sequence<NS>());
        for_each_expression([&](auto r, auto e) { acc[r][0] = detail::Accumulate(eval, acc[r][0], e); });
      }
      for_each_expression([&](auto r, auto) {
        V block_sum = hn::Zero(d);
        for_each_unrolled([&](auto u) { block_sum = hn::Add(block_sum, acc[r][u]); });
        wide.Add(r, block_sum);
      });
    }
    if (i < end) {  // masked-off lanes are zeroed: an expression of 0 need not be 0
      const auto mask = hn::FirstN(d, end - i);
      eval.x = detail::MaskedLoadStreams(d, mask, streams, i, end - i, std::make_index_sequence<NS>());
      for_each_expression([&](auto r, auto e) { wide.Add(r, hn::IfThenElseZero(mask, eval(e))); });
    }
  }
  for (std::size_t r = 0; r < R; ++r) sums[r] = wide.Total(r);
}

template <class... Es, class T>
HWY_INLINE void SumReduce(const T* const* HWY_RESTRICT in, const T* HWY_RESTRICT scalars, std::size_t n,
                          double* HWY_RESTRICT sums) {
  SumReduceSegments<Es...>(in, scalars, 1, n, n, sums);
}

// One pass over n elements: out[i] = E(in[·][i], scalars) (E = NoOutput: nothing written, out may be
// null), acc[r][i] += Aᵣ for every Aᵣ of Accumulated, and sums[k] = Σᵢ Sₖ for every Sₖ of Summed. The
// Aᵣ and Sₖ see the streams and, when there is an E, E's value as stream<num_streams<E>> (as
// MapSumReduceSegments). LayerNorm's backward reads a row once from memory here: it adds the row's
// g·x̂ and g into the partial dγ, dβ while it sums Σg·γ and Σg·γ·(x − m) (and, with an activation,
// stores g = dy·act′(z) for the dx pass). The accumulators are read and written in T and must not
// overlap the streams; out is written with cached stores. Sums as MapSumReduceSegments'. The tail is
// one masked vector.
template <class E, class... As, class... Ss, class T>
HWY_INLINE void MapAccumulateSumReduce(Accumulated<As...>, Summed<Ss...>, const T* const* HWY_RESTRICT in,
                                       const T* HWY_RESTRICT scalars, T* HWY_RESTRICT out, T* const* acc,
                                       std::size_t n, double* HWY_RESTRICT sums) {
  constexpr bool kMap = !std::is_same_v<E, NoOutput>;
  constexpr std::size_t R = sizeof...(As), S = sizeof...(Ss), kBlockVectors = 8 * std::max<std::size_t>(S, 1);
  // The streams read from memory: E's; without an E, all the accumulated and summed expressions read.
  constexpr std::size_t NS = kMap ? num_streams<E> : std::max({std::size_t{0}, num_streams<As>..., num_streams<Ss>...});
  constexpr std::size_t NP = std::max({std::size_t{0}, num_scalars<E>, num_scalars<As>..., num_scalars<Ss>...});
  static_assert(((num_streams<As> <= NS + kMap) && ...) && ((num_streams<Ss> <= NS + kMap) && ...),
                "an accumulated or summed expression reads only the streams and E's value");
  const hn::ScalableTag<T> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t lanes = hn::Lanes(d);
  const auto streams = detail::CopyPointers<T, NS>(in);
  std::array<T*, R> targets{};
  std::copy_n(acc, R, targets.begin());
  Evaluator<decltype(d), NS + kMap, NP> eval{d, {}, detail::BroadcastScalars(d, scalars, std::make_index_sequence<NP>())};
  const auto load = [&](const std::array<V, NS>& loaded) { std::copy(loaded.begin(), loaded.end(), eval.x.begin()); };
  const auto for_each = []<class... Es>(auto&& fn, Es...) {
    [&]<std::size_t... r>(std::index_sequence<r...>) { (fn(std::integral_constant<std::size_t, r>(), Es{}), ...); }(
        std::make_index_sequence<sizeof...(Es)>());
  };
  detail::WideSums<decltype(d), S> wide;
  const std::size_t full_end = n - n % lanes;
  std::size_t i = 0;
  while (i < full_end) {
    std::array<V, S> partial;
    partial.fill(hn::Zero(d));
    for (const std::size_t block_end = std::min(full_end, i + kBlockVectors * lanes); i < block_end; i += lanes) {
      load(detail::LoadStreams(d, streams, i, std::make_index_sequence<NS>()));
      if constexpr (kMap) {
        eval.x[NS] = eval(E{});
        hn::StoreU(eval.x[NS], d, out + i);
      }
      for_each([&](auto r, auto e) { hn::StoreU(detail::Accumulate(eval, hn::LoadU(d, targets[r] + i), e), d, targets[r] + i); },
               As{}...);
      for_each([&](auto k, auto e) { partial[k] = detail::Accumulate(eval, partial[k], e); }, Ss{}...);
    }
    for_each([&](auto k, auto) { wide.Add(k, partial[k]); }, Ss{}...);
  }
  if (i < n) {  // masked-off lanes are zeroed: an expression of 0 need not be 0
    const std::size_t count = n - i;
    const auto mask = hn::FirstN(d, count);
    load(detail::MaskedLoadStreams(d, mask, streams, i, count, std::make_index_sequence<NS>()));
    if constexpr (kMap) {
      eval.x[NS] = eval(E{});
      hn::BlendedStore(eval.x[NS], mask, d, out + i);
    }
    for_each(
        [&](auto r, auto e) {
          hn::BlendedStore(detail::Accumulate(eval, detail::LoadTail(d, mask, targets[r] + i, count), e), mask, d,
                           targets[r] + i);
        },
        As{}...);
    for_each([&](auto k, auto e) { wide.Add(k, hn::IfThenElseZero(mask, eval(e))); }, Ss{}...);
  }
  for (std::size_t k = 0; k < S; ++k) sums[k] = wide.Total(k);
}

// Map and reduce in one pass per segment: out[k·length + i] = E(in[·][k·length + i], scalars of k), and
// sums[k·R + r] = Σᵢ Rᵣ over run k, where each Rᵣ sees the streams and, as stream<num_streams<E>>, the
// value E just produced (GroupNorm's fused backward stores g = dy·act′(z) for its dx pass while it
// sums Σg and Σg·(x − m) from the same registers). Sums as SumReduce's: T lanes within blocks of 8·R
// vectors, float64 across blocks and lanes; one accumulator per sum, since E's own latency already
// spaces the additions.
template <class E, class... Rs, class T>
HWY_INLINE void MapSumReduceSegments(const T* const* HWY_RESTRICT in, const T* HWY_RESTRICT scalars,
                                     std::size_t scalar_stride, T* HWY_RESTRICT out, std::size_t segments,
                                     std::size_t length, double* HWY_RESTRICT sums) {
  constexpr std::size_t NS = num_streams<E>, R = sizeof...(Rs), kBlockVectors = 8 * R;
  constexpr std::size_t NP = std::max({num_scalars<E>, num_scalars<Rs>...});
  static_assert(((num_streams<Rs> <= NS + 1) && ...), "a reduced expression reads only E's streams and E's value");
  const hn::ScalableTag<T> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t lanes = hn::Lanes(d);
  const auto streams = detail::CopyPointers<T, NS>(in);
  Evaluator<decltype(d), NS + 1, NP> eval{d, {}, {}};
  const auto load = [&](const std::array<V, NS>& loaded) { std::copy(loaded.begin(), loaded.end(), eval.x.begin()); };
  const auto for_each_sum = [](auto&& fn) {
    [&]<std::size_t... r>(std::index_sequence<r...>) { (fn(std::integral_constant<std::size_t, r>(), Rs{}), ...); }(
        std::make_index_sequence<R>());
  };
  for (std::size_t segment = 0, base = 0; segment < segments; ++segment, base += length) {
    eval.s = detail::BroadcastScalars(d, scalars + segment * scalar_stride, std::make_index_sequence<NP>());
    detail::WideSums<decltype(d), R> wide;
    const std::size_t end = base + length, full_end = end - length % lanes;
    std::size_t i = base;
    while (i < full_end) {
      std::array<V, R> acc;
      acc.fill(hn::Zero(d));
      for (const std::size_t block_end = std::min(full_end, i + kBlockVectors * lanes); i < block_end; i += lanes) {
        load(detail::LoadStreams(d, streams, i, std::make_index_sequence<NS>()));
        eval.x[NS] = eval(E{});
        hn::StoreU(eval.x[NS], d, out + i);
        for_each_sum([&](auto r, auto e) { acc[r] = detail::Accumulate(eval, acc[r], e); });
      }
      for_each_sum([&](auto r, auto) { wide.Add(r, acc[r]); });
    }
    if (i < end) {  // masked-off lanes are zeroed: an expression of 0 need not be 0
      const auto mask = hn::FirstN(d, end - i);
      load(detail::MaskedLoadStreams(d, mask, streams, i, end - i, std::make_index_sequence<NS>()));
      eval.x[NS] = eval(E{});
      hn::BlendedStore(eval.x[NS], mask, d, out + i);
      for_each_sum([&](auto r, auto e) { wide.Add(r, hn::IfThenElseZero(mask, eval(e))); });
    }
    for (std::size_t r = 0; r < R; ++r) sums[segment * R + r] = wide.Total(r);
  }
}

}  // namespace lucid::expr::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
