// eˣ, e^x − 1 and 1/v on SIMD vectors of float32 or float64, compiled once per Highway target; the
// evaluator (evaluate-inl.h) builds exp, sigmoid and tanh on them, erf-inl.h its e^(…) term.
//
// Exponential: x = q·ln2 + r with q = round(x/ln2), |r| ≤ ln2/2 (Cody–Waite, ln2 in two parts), then
// e^r − 1 = r + r²·P(r) with Highway's minimax polynomials (P of degree 5 for float32, 10 for
// float64; hwy/contrib/math/math-inl.h, the same coefficients as hn::Exp, ≤ 1 ulp), and eˣ = 2^q·(1 +
// (e^r − 1)) by exponent arithmetic. Cheaper than hn::Exp + the IEEE fix-ups it needs: q is rounded by
// adding 1.5·2^mantissa (the integer lands in the low mantissa bits, so no float→int conversion with
// its overflow fix-up), Horner instead of Estrin (fewer instructions: these kernels are throughput-
// bound), and special cases as two selects on x (NaN needs none: it propagates through the arithmetic).
//
// Accuracy of the kernels built on these, largest error measured over every SIMD target against
// float64 (for float32) and long double (for float64) references on strided sweeps of all bit patterns
// plus dense grids and the special values (tests/framework/activation_accuracy_test.cc, which asserts
// ≤ 1 ulp for exp and ≤ 4 ulp for the others, 4.5 for silu'), float32 / float64, in ulps:
//   exp 0.95 / 0.95      sigmoid 2.47 / 2.12      σ'(x) = σ(x)σ(−x) 3.98 / 3.50
//   tanh 3.05 / 2.30     tanh' = 1 − tanh² 1.61 / 1.55, counted in ulps of 1 (PyTorch's formula from
//                        the forward value: absolute, not relative, accuracy once tanh nears ±1)
//   silu 2.97 / 2.40     silu' = σ + x·σσ' 4.21 / 3.97, in ulps of its larger term (it crosses 0)
//   gelu 1.47 / 1.44, in ulps of |x|/2;  gelu' 1.37 / 1.18, in ulps of ½ (½x(1 + erf) cancels for x < 0)
// silu and silu' count |x| subnormal ulps as one where σ(x) is subnormal (x < −87.3 / −708).
// NaN, ±inf and ±0 behave as the exact formulas in IEEE arithmetic (as std::exp, PyTorch).

// Per-target include guard (Highway's toggle idiom).
#if defined(LUCID_FRAMEWORK_EXPR_EXP_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LUCID_FRAMEWORK_EXPR_EXP_INL_H_
#undef LUCID_FRAMEWORK_EXPR_EXP_INL_H_
#else
#define LUCID_FRAMEWORK_EXPR_EXP_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::expr::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;

// c[0]·xᴺ⁻¹ + c[1]·xᴺ⁻² + … + c[N−1] by Horner's rule, one fused multiply-add per coefficient.
template <class D, std::size_t N>
HWY_INLINE hn::Vec<D> Horner(D d, hn::Vec<D> x, const hn::TFromD<D> (&c)[N]) {
  hn::Vec<D> r = hn::Set(d, c[0]);
  for (std::size_t k = 1; k < N; ++k) r = hn::MulAdd(r, x, hn::Set(d, c[k]));
  return r;
}

namespace detail {

template <typename T>
struct ExpConstants;
template <>
struct ExpConstants<float> {
  using Int = std::int32_t;
  static constexpr int kMantissaBits = 23;
  static constexpr float kLn2Hi = 0.693145751953125f, kLn2Lo = 1.428606765330187045e-6f;  // ln2 = hi + lo
  // e^r − 1 = r + r²·P(r), P highest degree first
  static constexpr float kP[] = {0.000198527617612853646278381f, 0.00139304355252534151077271f,
                                 0.00833336077630519866943359f, 0.0416664853692054748535156f,
                                 0.166666671633720397949219f, 0.5f};
};
template <>
struct ExpConstants<double> {
  using Int = std::int64_t;
  static constexpr int kMantissaBits = 52;
  static constexpr double kLn2Hi = 0.6931471805596629565116018, kLn2Lo = 0.28235290563031577122588448175e-12;
  static constexpr double kP[] = {2.08860621107283687536341e-9,  2.51112930892876518610661e-8,
                                  2.75573911234900471893338e-7,  2.75572362911928827629423e-6,
                                  2.4801587159235472998791e-5,   0.000198412698960509205564975,
                                  0.00138888888889774492207962,  0.00833333333331652721664984,
                                  0.0416666666666665047591422,   0.166666666666666851703837,
                                  0.5};
};

// x = q·ln2 + r: em1 = e^r − 1 and q (as an integer vector); NaN propagates into em1. q comes out of
// x/ln2 + 1.5·2^mantissa, whose low mantissa bits hold it: valid for |x| < 2^(mantissa − 2)·ln2.
template <class D>
struct Reduced {
  hn::Vec<D> em1;
  hn::Vec<hn::RebindToSigned<D>> q;
};
template <class D>
HWY_INLINE Reduced<D> Reduce(D d, hn::Vec<D> x) {
  using T = hn::TFromD<D>;
  using C = ExpConstants<T>;
  const hn::RebindToSigned<D> di;
  const hn::Vec<D> shifter = hn::Set(d, T(1.5) * T(std::uint64_t{1} << C::kMantissaBits));
  const hn::Vec<D> shifted = hn::MulAdd(x, hn::Set(d, T(1.4426950408889634)), shifter);  // x/ln2, rounded
  const hn::Vec<D> q = hn::Sub(shifted, shifter);
  hn::Vec<D> r = hn::MulAdd(q, hn::Set(d, -C::kLn2Hi), x);
  r = hn::MulAdd(q, hn::Set(d, -C::kLn2Lo), r);
  return {hn::MulAdd(hn::Mul(r, r), Horner(d, r, C::kP), r), hn::Sub(hn::BitCast(di, shifted), hn::BitCast(di, shifter))};
}

// 2^q for integers q in the normal exponent range, by writing the biased exponent.
template <class D>
HWY_INLINE hn::Vec<D> Pow2(D d, hn::Vec<hn::RebindToSigned<D>> q) {
  using T = hn::TFromD<D>;
  using C = ExpConstants<T>;
  const hn::RebindToSigned<D> di;
  const auto bias = hn::Set(di, typename C::Int{std::numeric_limits<T>::max_exponent - 1});
  return hn::BitCast(d, hn::ShiftLeft<C::kMantissaBits>(hn::Add(q, bias)));
}

}  // namespace detail

// eˣ where 2^round(x/ln2) is a normal number (float32: x ∈ [−87.3, 88.3], float64: [−708, 709]);
// NaN propagates, anything outside the range gives garbage (for callers that select it away).
template <class D>
HWY_INLINE hn::Vec<D> ExpNormalRange(D d, hn::Vec<D> x) {
  const auto reduced = detail::Reduce(d, x);
  const hn::Vec<D> scale = detail::Pow2(d, reduced.q);
  return hn::MulAdd(reduced.em1, scale, scale);
}

// eˣ for every x as std::exp: +inf above ln(max), 0 below ln(min subnormal / 2), subnormal results
// rounded once (2^q applied in two halves, each normal), NaN stays NaN. kMayOverflow = false: the
// caller passes x ≤ 0 (or NaN) only, and the overflow select is left out.
template <bool kMayOverflow = true, class D>
HWY_INLINE hn::Vec<D> ExpIeee(D d, hn::Vec<D> x) {
  using T = hn::TFromD<D>;
  using L = std::numeric_limits<T>;
  constexpr T kLn2 = T(0.6931471805599453);
  const auto reduced = detail::Reduce(d, x);
  const auto q1 = hn::ShiftRight<1>(reduced.q);
  const hn::Vec<D> half1 = detail::Pow2(d, q1), half2 = detail::Pow2(d, hn::Sub(reduced.q, q1));
  hn::Vec<D> e = hn::Mul(hn::MulAdd(reduced.em1, half1, half1), half2);
  // Below (min_exponent − digits − 1)·ln2, eˣ < half the smallest subnormal.
  e = hn::IfThenZeroElse(hn::Lt(x, hn::Set(d, T(L::min_exponent - L::digits - 1) * kLn2)), e);
  if constexpr (kMayOverflow) {
    e = hn::IfThenElse(hn::Gt(x, hn::Set(d, T(L::max_exponent) * kLn2)), hn::Set(d, L::infinity()), e);
  }
  return e;
}

// e^x − 1 for x ∈ [lo, 0] with 2^round(lo/ln2) normal, to the relative accuracy of e^r − 1 near 0:
// 2^q·(e^r − 1) + (2^q − 1), exact for q = 0. NaN propagates.
template <class D>
HWY_INLINE hn::Vec<D> Expm1NormalRange(D d, hn::Vec<D> x) {
  const auto reduced = detail::Reduce(d, x);
  const hn::Vec<D> scale = detail::Pow2(d, reduced.q);
  return hn::MulAdd(reduced.em1, scale, hn::Sub(scale, hn::Set(d, hn::TFromD<D>(1))));
}

// 1/v for finite v whose reciprocal is normal. float32 on AVX-512: the hardware's 2⁻¹⁴ estimate
// refined by one Newton–Raphson step r ← r + r(1 − v·r), within about 0.5 ulp for a fraction of a
// division's cost. Elsewhere the division. On AVX2, whose 1.5·2⁻¹² estimate needs two steps (five
// multiply-adds on the two FMA ports the rest of exp and sigmoid compete for), the division measured
// faster on a Zen 3 core (bench/activations, 2026-12-06: silu forward 0.79×, sigmoid 0.84×, tanh
// 0.84× the time; GroupNorm+SiLU forward+backward 0.87–0.90×); without a fused 1 − v·r the step
// loses the residual to rounding, and Highway has no float64 estimate.
template <class D>
HWY_INLINE hn::Vec<D> Reciprocal(D d, hn::Vec<D> v) {
  const hn::Vec<D> one = hn::Set(d, hn::TFromD<D>(1));
#if HWY_NATIVE_FMA
  if constexpr (std::is_same_v<hn::TFromD<D>, float> && HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3) {
    hn::Vec<D> r = hn::ApproximateReciprocal(v);
    return hn::MulAdd(r, hn::NegMulAdd(v, r, one), r);
  }
#endif
  return hn::Div(one, v);
}

}  // namespace lucid::expr::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
