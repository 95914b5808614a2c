// Accuracy of the fused SIMD sum: a float32 sum of 10⁷ values against an exact-enough float64 sum.
#include <cmath>

#include <gtest/gtest.h>

#include "lucid.h"

namespace {

TEST(SumPrecision, Float32SumOfTenMillionValuesMatchesFloat64To1e6) {
  lucid::manual_seed(12);
  const std::int64_t n = 10'000'000;
  const lucid::Tensor inputs[] = {lucid::randn({n}),         // mixed signs, sum ≪ Σ|x|
                                  lucid::rand({n}),          // all positive
                                  lucid::rand({n}) + 1e4};   // a large common offset
  for (const lucid::Tensor& x : inputs) {
    const float* p = x.data<float>();
    long double reference = 0;  // 64-bit mantissa accumulation of the float32 values themselves
    for (std::int64_t i = 0; i < n; ++i) reference += p[i];
    const double got = x.sum().item();
    EXPECT_LE(std::abs(got - static_cast<double>(reference)), 1e-6 * std::abs(static_cast<double>(reference)))
        << "first value " << p[0];
  }
}

}  // namespace
