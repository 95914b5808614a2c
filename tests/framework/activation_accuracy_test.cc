// The activation kernels (framework/expr/exp-inl.h and evaluate-inl.h, through the kernels of
// unary_ops.inc) on every SIMD target this machine supports: exp, sigmoid, silu, tanh, gelu and the
// derivatives their backward kernels evaluate (g = 1), against references in a wider type:
//   float32 against double std:: formulas, over every 4097th of the 2³² bit patterns (all signs,
//     exponents, subnormals; 1,048,321 values), a grid of [−110, 110] with step 2⁻⁸, and the special
//     values: ±0, ±inf, NaN, ±smallest subnormal, ±smallest normal, ±largest, and the neighbours of
//     exp's overflow and underflow thresholds;
//   float64 against long double (80-bit) formulas, over 2¹⁸ bit patterns spread over the 2⁶⁴ (every
//     sign, exponent and top-mantissa bucket), a grid of [−750, 750] with step 2⁻⁶, and the same kinds of
//     special values.
// Error = |kernel − exact| / ulp(max(|exact|, floor(x))), ulp in the kernel's type (inf counted as
// 2^max_exponent). floor is 0 (a plain ulp error) except where the formula itself — PyTorch's too —
// subtracts terms of similar size, so no evaluation of it is relatively accurate there:
//   gelu  = ½x + ½x·erf(x/√2), cancelling for x < 0:            floor |x|/2
//   gelu' = ½(1 + erf(x/√2)) + x·φ(x):                          floor ½
//   silu' = σ(x) + x·σ(x)σ(−x), which crosses 0 at x ≈ −1.28:   floor max(σ(x), |x·σ(x)σ(−x)|)
//   tanh' = 1 − tanh²x, from the forward value as PyTorch:       floor 1
// and silu, silu' (x times σ(x) or σ'(x)) count |x| subnormal ulps as one where σ(x) is subnormal
// (x below −87.3 in float32, −708 in float64): σ is rounded to a few bits there, then scaled by x.
// NaN where the exact formula gives NaN, ±inf where it gives ±inf (PyTorch's special values).
// Bounds: the largest error measured on this machine over all targets, rounded up; the test prints
// each target's figures (see kCases).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "tests/framework/activation_accuracy_test.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"

#ifndef LUCID_TESTS_FRAMEWORK_ACTIVATION_ACCURACY_ONCE_
#define LUCID_TESTS_FRAMEWORK_ACTIVATION_ACCURACY_ONCE_
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <type_traits>
#include <vector>

#include "framework/kernels/fused_elementwise.h"
#include "gtest/gtest.h"

namespace lucid::kernels::activation_accuracy {

// The exact values, in R = double (for float32) or long double (for float64).
template <typename R>
R Sigmoid(R x) { return R(1) / (R(1) + std::exp(-x)); }
template <typename R>
R Phi(R x) { return R(0.5) * std::erfc(-x / std::sqrt(R(2))); }  // the normal CDF, ½(1 + erf(x/√2))
template <typename R>
R GeluDerivative(R x) { return Phi(x) + x * std::exp(-x * x / 2) / std::sqrt(2 * R(3.14159265358979323846264338327950288L)); }

struct Op {
  const char* name;
  const FusedKernels* kernels;
  bool derivative;  // the backward kernel with g = 1
  bool times_x;     // x·(something subnormal for x → −∞): |x| subnormal ulps count as one
  double bound_f32, bound_f64;  // ulp
  double (*exact_f32)(double);
  long double (*exact_f64)(long double);
  double (*floor_f32)(double);
  long double (*floor_f64)(long double);
};

#define LUCID_BOTH(F) \
  +[]([[maybe_unused]] double x) -> double { return F; }, +[]([[maybe_unused]] long double x) -> long double { return F; }
// clang-format off
const Op kOps[] = {
    {"exp", &Exp_kernels, false, false, 1, 1, LUCID_BOTH(std::exp(x)), LUCID_BOTH(0)},
    {"exp'", &Exp_kernels, true, false, 1, 1, LUCID_BOTH(std::exp(x)), LUCID_BOTH(0)},
    {"sigmoid", &Sigmoid_kernels, false, false, 4, 4, LUCID_BOTH(Sigmoid(x)), LUCID_BOTH(0)},
    {"sigmoid'", &Sigmoid_kernels, true, false, 4, 4, LUCID_BOTH(Sigmoid(x) * Sigmoid(-x)), LUCID_BOTH(0)},
    {"silu", &Silu_kernels, false, true, 4, 4, LUCID_BOTH(x * Sigmoid(x)), LUCID_BOTH(0)},
    {"silu'", &Silu_kernels, true, true, 4.5, 4, LUCID_BOTH(Sigmoid(x) + x * Sigmoid(x) * Sigmoid(-x)),
     LUCID_BOTH(std::max(Sigmoid(x), std::abs(x * Sigmoid(x) * Sigmoid(-x))))},
    {"tanh", &Tanh_kernels, false, false, 4, 4, LUCID_BOTH(std::tanh(x)), LUCID_BOTH(0)},
    {"tanh'", &Tanh_kernels, true, false, 4, 4, LUCID_BOTH(1 / (std::cosh(x) * std::cosh(x))), LUCID_BOTH(1)},
    {"gelu", &Gelu_kernels, false, false, 4, 4, LUCID_BOTH(x * Phi(x)), LUCID_BOTH(std::abs(x) / 2)},
    {"gelu'", &Gelu_kernels, true, false, 4, 4, LUCID_BOTH(GeluDerivative(x)), LUCID_BOTH(0.5)},
};
// clang-format on
#undef LUCID_BOTH

// The unit of last place of T at magnitude v (subnormal spacing below the normal range, ulp(max) above).
template <typename T>
long double Ulp(long double v) {
  using L = std::numeric_limits<T>;
  const int e = v == 0 ? L::min_exponent - 1 : std::clamp(std::ilogb(v), L::min_exponent - 1, L::max_exponent - 1);
  return std::ldexp(1.0L, e - (L::digits - 1));
}

template <typename T>
std::vector<T> Inputs() {
  using L = std::numeric_limits<T>;
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  std::vector<T> x;
  const auto push_bits = [&](Bits b) {
    T v;
    std::memcpy(&v, &b, sizeof v);
    x.push_back(v);
  };
  if constexpr (sizeof(T) == 4) {
    for (std::uint64_t b = 0; b < (std::uint64_t{1} << 32); b += 4097) push_bits(static_cast<Bits>(b));
  } else {
    for (std::uint64_t k = 0; k < (std::uint64_t{1} << 18); ++k) {
      push_bits((k << 46) | ((k * 2654435761u) & ((std::uint64_t{1} << 46) - 1)));
    }
  }
  const T range = sizeof(T) == 4 ? T(110) : T(750), step = sizeof(T) == 4 ? T(1) / 256 : T(1) / 64;
  for (T v = -range; v <= range; v += step) x.push_back(v);
  const T ln2 = T(0.6931471805599453);
  const T thresholds[] = {T(L::max_exponent) * ln2, std::log(L::max()), std::log(L::min()),
                          T(L::min_exponent - L::digits - 1) * ln2, std::log(L::denorm_min())};
  for (T t : thresholds) {
    T v = t;
    for (int k = 0; k < 4; ++k) v = std::nextafter(v, -L::infinity());
    for (int k = 0; k < 8; ++k, v = std::nextafter(v, L::infinity())) x.push_back(v);
  }
  for (T v : {T(0), L::infinity(), L::denorm_min(), L::min(), L::max()}) {
    x.push_back(v);
    x.push_back(-v);
  }
  x.push_back(L::quiet_NaN());
  return x;
}

// The exact values and the floors of one op at the inputs (computed once, shared by the targets).
template <typename T>
struct Reference {
  std::vector<long double> exact, floor;
};
template <typename T>
Reference<T> MakeReference(const Op& op, const std::vector<T>& x) {
  Reference<T> ref;
  for (T v : x) {
    if constexpr (std::is_same_v<T, float>) {
      ref.exact.push_back(op.exact_f32(v));
      ref.floor.push_back(op.floor_f32(v));
    } else {
      ref.exact.push_back(op.exact_f64(v));
      ref.floor.push_back(op.floor_f64(v));
    }
  }
  return ref;
}

// The largest error of one op over the inputs; every value is checked against the bound.
template <typename T>
double MaxError(const Op& op, const std::vector<T>& x, const Reference<T>& ref, const char* target) {
  using L = std::numeric_limits<T>;
  std::vector<T> y(x.size());
  const std::vector<T> ones(x.size(), T(1));
  const T* in[] = {x.data(), ones.data()};
  (op.derivative ? op.kernels->backward<T>(0) : op.kernels->forward<T>())(in, nullptr, y.data(), x.size());
  const double bound = std::is_same_v<T, float> ? op.bound_f32 : op.bound_f64;
  // Half an ulp above the largest finite T: where rounding to T goes to infinity.
  const long double overflow = static_cast<long double>(L::max()) + Ulp<T>(L::max()) / 2;
  double worst = 0;
  int failures = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double exact = ref.exact[i];
    bool ok;
    double err = 0;
    if (std::isnan(exact)) {
      ok = std::isnan(y[i]);
    } else if (std::abs(exact) >= overflow) {  // rounds to ±inf in T
      ok = y[i] == std::copysign(L::infinity(), static_cast<T>(exact));
    } else {
      const long double got =
          std::isinf(y[i]) ? std::copysign(std::ldexp(1.0L, L::max_exponent), static_cast<long double>(y[i])) : y[i];
      long double unit = Ulp<T>(std::max(std::abs(exact), std::abs(ref.floor[i])));
      if (op.times_x) unit = std::max(unit, std::abs(static_cast<long double>(x[i])) * L::denorm_min());
      err = static_cast<double>(std::abs(got - exact) / unit);
      ok = err <= bound;  // false for NaN
      if (!std::isnan(err)) worst = std::max(worst, err);
    }
    if (!ok && ++failures <= 5) {
      ADD_FAILURE() << target << ": " << op.name << "(" << x[i] << ") = " << y[i] << ", exact "
                    << static_cast<double>(exact) << ", error " << err << " ulp > " << bound;
    }
  }
  EXPECT_EQ(failures, 0) << target << ": " << op.name << " (" << sizeof(T) * 8 << "-bit)";
  return worst;
}

inline void CheckAllOps(const char* target) {
  constexpr std::size_t kNumOps = sizeof(kOps) / sizeof(kOps[0]);
  static const std::vector<float> x32 = Inputs<float>();
  static const std::vector<double> x64 = Inputs<double>();
  static std::vector<Reference<float>> ref32;
  static std::vector<Reference<double>> ref64;
  if (ref32.empty()) {
    for (const Op& op : kOps) {
      ref32.push_back(MakeReference(op, x32));
      ref64.push_back(MakeReference(op, x64));
    }
  }
  for (std::size_t k = 0; k < kNumOps; ++k) {
    const double f32 = MaxError(kOps[k], x32, ref32[k], target), f64 = MaxError(kOps[k], x64, ref64[k], target);
    std::cout << target << " " << kOps[k].name << ": max error float32 " << f32 << ", float64 " << f64 << " ulp\n";
  }
}

}  // namespace lucid::kernels::activation_accuracy
#endif  // LUCID_TESTS_FRAMEWORK_ACTIVATION_ACCURACY_ONCE_

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
// The kernel tables dispatch to the target under test (hwy_gtest restricts the supported targets).
void TestActivationAccuracy() { activation_accuracy::CheckAllOps(hwy::TargetName(HWY_TARGET)); }
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
HWY_BEFORE_TEST(ActivationAccuracyTest);
HWY_EXPORT_AND_TEST_P(ActivationAccuracyTest, TestActivationAccuracy);
}  // namespace lucid::kernels
#endif  // HWY_ONCE
