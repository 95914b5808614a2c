// Every fused elementwise kernel of the library (forward and each input's gradient), on every SIMD
// target this machine supports, against closed-form float64 references written out here. Lengths
// 0 to 3·lanes + 1 and unaligned starts; elements past the end must stay untouched.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "tests/framework/fused_kernels_test.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "framework/kernels/fused_elementwise.h"
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"

#ifndef LUCID_TESTS_FUSED_KERNELS_CASES_
#define LUCID_TESTS_FUSED_KERNELS_CASES_
namespace lucid::kernels::test {

using Fn = std::function<double(const double* x, double s)>;

struct Case {
  const char* name;
  const FusedKernels* kernels;
  double lo, hi;            // inputs drawn uniformly from [lo, hi]
  Fn forward;               // f(x; s)
  std::vector<Fn> partial;  // ∂f/∂xᵢ(x; s)
  double f32_tolerance = 2e-6;
};

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }
constexpr double kTwoOverSqrtPi = 1.1283791670955126;
constexpr double kSqrtHalf = 0.7071067811865476;  // 1/√2
inline double gelu_inner(double v) { return 0.7978845608028654 * (v + 0.044715 * v * v * v); }

inline const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"Add", &Add_kernels, -3, 3, [](const double* x, double) { return x[0] + x[1]; },
       {[](const double*, double) { return 1.0; }, [](const double*, double) { return 1.0; }}},
      {"Sub", &Sub_kernels, -3, 3, [](const double* x, double) { return x[0] - x[1]; },
       {[](const double*, double) { return 1.0; }, [](const double*, double) { return -1.0; }}},
      {"Mul", &Mul_kernels, -3, 3, [](const double* x, double) { return x[0] * x[1]; },
       {[](const double* x, double) { return x[1]; }, [](const double* x, double) { return x[0]; }}},
      {"Div", &Div_kernels, 0.5, 3, [](const double* x, double) { return x[0] / x[1]; },
       {[](const double* x, double) { return 1.0 / x[1]; },
        [](const double* x, double) { return -x[0] / (x[1] * x[1]); }}},
      // Ties split the gradient half and half (PyTorch); test/autodiff covers ties and NaN explicitly.
      {"Maximum", &Maximum_kernels, -3, 3, [](const double* x, double) { return std::max(x[0], x[1]); },
       {[](const double* x, double) { return x[0] > x[1] ? 1.0 : x[0] == x[1] ? 0.5 : 0.0; },
        [](const double* x, double) { return x[0] < x[1] ? 1.0 : x[0] == x[1] ? 0.5 : 0.0; }}},
      {"Minimum", &Minimum_kernels, -3, 3, [](const double* x, double) { return std::min(x[0], x[1]); },
       {[](const double* x, double) { return x[0] < x[1] ? 1.0 : x[0] == x[1] ? 0.5 : 0.0; },
        [](const double* x, double) { return x[0] > x[1] ? 1.0 : x[0] == x[1] ? 0.5 : 0.0; }}},
      {"Where", &Where_kernels, 0, 1, [](const double* x, double) { return x[0] > 0.5 ? x[1] : x[2]; },
       {[](const double*, double) { return 0.0; }, [](const double* x, double) { return x[0] > 0.5 ? 1.0 : 0.0; },
        [](const double* x, double) { return x[0] > 0.5 ? 0.0 : 1.0; }}},
      {"AddScalar", &AddScalar_kernels, -3, 3, [](const double* x, double s) { return x[0] + s; },
       {[](const double*, double) { return 1.0; }}},
      {"MulScalar", &MulScalar_kernels, -3, 3, [](const double* x, double s) { return x[0] * s; },
       {[](const double*, double s) { return s; }}},
      {"DivScalar", &DivScalar_kernels, -3, 3, [](const double* x, double s) { return x[0] / s; },
       {[](const double*, double s) { return 1.0 / s; }}},
      {"ScalarSub", &ScalarSub_kernels, -3, 3, [](const double* x, double s) { return s - x[0]; },
       {[](const double*, double) { return -1.0; }}},
      {"ScalarDiv", &ScalarDiv_kernels, 0.5, 3, [](const double* x, double s) { return s / x[0]; },
       {[](const double* x, double s) { return -s / (x[0] * x[0]); }}},
      {"Neg", &Neg_kernels, -3, 3, [](const double* x, double) { return -x[0]; },
       {[](const double*, double) { return -1.0; }}},
      {"Abs", &Abs_kernels, -3, 3, [](const double* x, double) { return std::abs(x[0]); },
       {[](const double* x, double) { return x[0] > 0 ? 1.0 : (x[0] < 0 ? -1.0 : 0.0); }}},
      {"Exp", &Exp_kernels, -20, 20, [](const double* x, double) { return std::exp(x[0]); },
       {[](const double* x, double) { return std::exp(x[0]); }}},
      {"Log", &Log_kernels, 1e-3, 50, [](const double* x, double) { return std::log(x[0]); },
       {[](const double* x, double) { return 1.0 / x[0]; }}},
      {"Sqrt", &Sqrt_kernels, 1e-2, 50, [](const double* x, double) { return std::sqrt(x[0]); },
       {[](const double* x, double) { return 0.5 / std::sqrt(x[0]); }}},
      {"Rsqrt", &Rsqrt_kernels, 1e-2, 50, [](const double* x, double) { return 1.0 / std::sqrt(x[0]); },
       {[](const double* x, double) { return -0.5 / (x[0] * std::sqrt(x[0])); }}},
      {"Erf", &Erf_kernels, -5, 5, [](const double* x, double) { return std::erf(x[0]); },
       {[](const double* x, double) { return kTwoOverSqrtPi * std::exp(-x[0] * x[0]); }}},
      {"Log1p", &Log1p_kernels, -0.9, 50, [](const double* x, double) { return std::log1p(x[0]); },
       {[](const double* x, double) { return 1.0 / (1.0 + x[0]); }}},
      {"Expm1", &Expm1_kernels, -25, 25, [](const double* x, double) { return std::expm1(x[0]); },
       {[](const double* x, double) { return std::exp(x[0]); }}},
      {"Sign", &Sign_kernels, -3, 3, [](const double* x, double) { return x[0] > 0 ? 1.0 : (x[0] < 0 ? -1.0 : 0.0); },
       {[](const double*, double) { return 0.0; }}},
      {"Floor", &Floor_kernels, -30, 30, [](const double* x, double) { return std::floor(x[0]); },
       {[](const double*, double) { return 0.0; }}},
      {"Ceil", &Ceil_kernels, -30, 30, [](const double* x, double) { return std::ceil(x[0]); },
       {[](const double*, double) { return 0.0; }}},
      {"Round", &Round_kernels, -30, 30, [](const double* x, double) { return std::nearbyint(x[0]); },
       {[](const double*, double) { return 0.0; }}},
      // The parametrised ops with one scalar s (= 1.75).
      {"ClampMin", &ClampMin_kernels, -3, 3, [](const double* x, double s) { return std::max(x[0], s); },
       {[](const double* x, double s) { return x[0] >= s ? 1.0 : 0.0; }}},
      {"ClampMax", &ClampMax_kernels, -3, 3, [](const double* x, double s) { return std::min(x[0], s); },
       {[](const double* x, double s) { return x[0] <= s ? 1.0 : 0.0; }}},
      {"LeakyRelu", &LeakyRelu_kernels, -3, 3, [](const double* x, double s) { return x[0] > 0 ? x[0] : s * x[0]; },
       {[](const double* x, double s) { return x[0] > 0 ? 1.0 : s; }}},
      {"Elu", &Elu_kernels, -6, 3, [](const double* x, double s) { return x[0] > 0 ? x[0] : s * std::expm1(x[0]); },
       {[](const double* x, double s) { return x[0] > 0 ? 1.0 : s * std::exp(x[0]); }}},
      {"WhereElseScalar", &WhereElseScalar_kernels, 0, 1, [](const double* x, double s) { return x[0] > 0.5 ? x[1] : s; },
       {[](const double*, double) { return 0.0; }, [](const double* x, double) { return x[0] > 0.5 ? 1.0 : 0.0; }}},
      {"WhereThenScalar", &WhereThenScalar_kernels, 0, 1, [](const double* x, double s) { return x[0] > 0.5 ? s : x[1]; },
       {[](const double*, double) { return 0.0; }, [](const double* x, double) { return x[0] > 0.5 ? 0.0 : 1.0; }}},
      {"Relu", &Relu_kernels, -3, 3, [](const double* x, double) { return x[0] > 0 ? x[0] : 0.0; },
       {[](const double* x, double) { return x[0] > 0 ? 1.0 : 0.0; }}},
      {"Sigmoid", &Sigmoid_kernels, -30, 30, [](const double* x, double) { return sigmoid(x[0]); },
       {[](const double* x, double) { return sigmoid(x[0]) * (1.0 - sigmoid(x[0])); }}},
      {"Tanh", &Tanh_kernels, -10, 10, [](const double* x, double) { return std::tanh(x[0]); },
       {[](const double* x, double) { return 1.0 - std::tanh(x[0]) * std::tanh(x[0]); }}},
      {"Silu", &Silu_kernels, -10, 10, [](const double* x, double) { return x[0] * sigmoid(x[0]); },
       {[](const double* x, double) { return sigmoid(x[0]) * (1.0 + x[0] * (1.0 - sigmoid(x[0]))); }}},
      {"Gelu", &Gelu_kernels, -6, 6, [](const double* x, double) { return 0.5 * x[0] * (1.0 + std::erf(x[0] * kSqrtHalf)); },
       {[](const double* x, double) {
         return 0.5 * (1.0 + std::erf(x[0] * kSqrtHalf)) + 0.5 * kTwoOverSqrtPi * kSqrtHalf * x[0] * std::exp(-0.5 * x[0] * x[0]);
       }},
       // float32 cancellation in 1 + erf(x/√2) for large negative x, as for GeluTanh below
       1e-5},
      {"GeluTanh", &GeluTanh_kernels, -6, 6,
       [](const double* x, double) { return 0.5 * x[0] * (1.0 + std::tanh(gelu_inner(x[0]))); },
       {[](const double* x, double) {
         const double t = std::tanh(gelu_inner(x[0]));
         const double inner_grad = 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * x[0] * x[0]);
         return 0.5 * (1.0 + t) + 0.5 * x[0] * (1.0 - t * t) * inner_grad;
       }},
       // float32 cancellation in 1 + tanh(u) for large negative x: error ≈ ε·|x|·(1 + 0.134x²) ≈ 1e-5
       1e-5},
  };
  return all;
}

}  // namespace lucid::kernels::test
#endif  // LUCID_TESTS_FUSED_KERNELS_CASES_

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// |got − want| ≤ tol·(1 + |want|): relative for large values, absolute near zero.
template <typename T>
void ExpectClose(double got, double want, double f32_tolerance, const std::string& what) {
  const double tol = std::is_same_v<T, float> ? f32_tolerance : 1e-13;
  EXPECT_LE(std::abs(got - want), tol * (1.0 + std::abs(want))) << what << ": got " << got << ", want " << want;
}

template <typename T>
void CheckCase(const test::Case& c) {
  const std::size_t lanes = hn::Lanes(hn::ScalableTag<T>());
  const std::size_t arity = c.kernels->num_inputs;
  const T scalar = T(1.75);
  ASSERT_EQ(c.partial.size(), arity) << c.name;
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> dist(c.lo, c.hi);
  for (std::size_t n = 0; n <= 3 * lanes + 1; ++n) {
    for (std::size_t offset = 0; offset < 3; ++offset) {  // unaligned starts
      // Streams x₀ … x_{arity−1}, then g (for the gradient kernels).
      std::vector<std::vector<T>> data(arity + 1, std::vector<T>(offset + n));
      std::vector<const T*> in;
      for (auto& stream : data) {
        for (T& v : stream) v = static_cast<T>(dist(rng));
        in.push_back(stream.data() + offset);
      }
      if (std::string(c.name).starts_with("Where")) {  // the condition holds 0/1
        for (T& v : data[0]) v = v > T(0.5) ? T(1) : T(0);
      }
      const T canary = T(-12345);
      std::vector<T> out(offset + n + lanes, canary);
      auto check_kernel = [&](expr::MapKernel<T> kernel, const std::string& label, auto want) {
        std::fill(out.begin(), out.end(), canary);
        kernel(in.data(), &scalar, out.data() + offset, n);
        for (std::size_t i = 0; i < n; ++i) {
          double x[4];
          for (std::size_t k = 0; k <= arity; ++k) x[k] = static_cast<double>(in[k][i]);
          ExpectClose<T>(out[offset + i], want(x), c.f32_tolerance, label + " n=" + std::to_string(n) + " i=" + std::to_string(i));
        }
        for (std::size_t i = 0; i < offset; ++i) ASSERT_EQ(out[i], canary) << label << ": wrote before the start";
        for (std::size_t i = offset + n; i < out.size(); ++i) ASSERT_EQ(out[i], canary) << label << ": wrote past the end";
      };
      check_kernel(c.kernels->forward<T>(), std::string(c.name) + " forward",
                   [&](const double* x) { return c.forward(x, scalar); });
      for (std::size_t k = 0; k < arity; ++k) {
        check_kernel(c.kernels->backward<T>(k), std::string(c.name) + " d/dx" + std::to_string(k),
                     [&](const double* x) { return x[arity] * c.partial[k](x, scalar); });
      }
    }
  }
}

void TestAllFusedKernels() {
  for (const test::Case& c : test::cases()) {
    CheckCase<float>(c);
    CheckCase<double>(c);
  }
}

}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
HWY_BEFORE_TEST(FusedKernelsTest);
HWY_EXPORT_AND_TEST_P(FusedKernelsTest, TestAllFusedKernels);
}  // namespace lucid::kernels
#endif  // HWY_ONCE
