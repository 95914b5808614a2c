// erf on SIMD vectors of float32 or float64 (Highway 1.0.3 has none), compiled once per Highway target;
// evaluate-inl.h includes it. The polynomials are fitted by scripts/fit_erf.py (erf_coefficients.h).
// Measured against erfl on a grid of [−7, 7] with step 2⁻¹⁴, plus ±0, ±inf, NaN, on every target
// (tests/framework/erf_accuracy_test.cc): at most 1.04 ulp in float32 and 1.10 ulp in float64 where
// MulAdd is a fused multiply-add (AVX2, AVX-512), 1.19 and 1.24 ulp without (SSE4, SSSE3, scalar).

// Per-target include guard (Highway's toggle idiom).
#if defined(LUCID_FRAMEWORK_EXPR_ERF_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LUCID_FRAMEWORK_EXPR_ERF_INL_H_
#undef LUCID_FRAMEWORK_EXPR_ERF_INL_H_
#else
#define LUCID_FRAMEWORK_EXPR_ERF_INL_H_
#endif

#include "framework/expr/erf_coefficients.h"
#include "framework/expr/exp-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::expr::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;

// erf x = x + x·P(x²) for |x| < 1; ±(1 − exp(Q((|x| − mid)/half) − x²)) for 1 ≤ |x| < end, where
// Q ≈ ln erfc|x| + x²; ±1 beyond end (where 1 − erfc rounds to 1); erf(±0) = ±0, NaN stays NaN.
template <class D>
HWY_INLINE hn::Vec<D> Erf(D d, hn::Vec<D> x) {
  using T = hn::TFromD<D>;
  using C = ErfCoefficients<T>;
  const hn::Vec<D> one = hn::Set(d, T(1));
  const hn::Vec<D> a = hn::Abs(x);
  const hn::Vec<D> x2 = hn::Mul(x, x);
  const hn::Vec<D> small = hn::MulAdd(x, Horner(d, x2, C::p), x);
  const hn::Vec<D> u = hn::Mul(hn::Sub(a, hn::Set(d, C::mid)), hn::Set(d, T(1) / C::half));
  const hn::Vec<D> erfc = ExpNormalRange(d, hn::Sub(Horner(d, u, C::q), x2));
  const hn::Vec<D> large = hn::IfThenElse(hn::Lt(a, hn::Set(d, C::end)), hn::Sub(one, erfc), one);
  const hn::Vec<D> r = hn::IfThenElse(hn::Lt(a, hn::Set(d, C::split)), small, hn::CopySign(large, x));
  return hn::IfThenElse(hn::IsNaN(x), x, r);
}

}  // namespace lucid::expr::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
