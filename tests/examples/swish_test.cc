// The user-defined swish op of examples/swish: values against the closed form, and its generated
// backward (first and second order) against float64 central differences.
#include <cmath>

#include "autodiff/gradcheck_gtest.h"
#include "examples/swish/swish.h"
#include "lucid.h"

namespace {

double swish_reference(double x, double beta) { return x / (1.0 + std::exp(-beta * x)); }

TEST(Swish, ValuesMatchTheClosedForm) {
  lucid::manual_seed(1);
  for (lucid::DType dtype : {lucid::float32, lucid::float64}) {
    const lucid::Tensor x = lucid::randn({37}, dtype) * 4.0;  // 37: not a multiple of any lane count
    const std::vector<double> in = x.to_vector<double>();
    const std::vector<double> out = swish_example::swish(x, 0.7).to_vector<double>();
    for (std::size_t i = 0; i < in.size(); ++i) {
      EXPECT_NEAR(out[i], swish_reference(in[i], 0.7), 1e-6 * (1 + std::abs(out[i]))) << "x = " << in[i];
    }
  }
}

TEST(Swish, GradientMatchesCentralDifferences) {
  lucid::manual_seed(2);
  const lucid::Tensor x = lucid::randn({4, 5}, lucid::float64, true);
  EXPECT_GRADCHECK([](const auto& in) { return swish_example::swish(in[0], 1.3); }, {x});
}

TEST(Swish, SecondDerivativeMatchesCentralDifferences) {
  lucid::manual_seed(3);
  const lucid::Tensor x = lucid::randn({6}, lucid::float64, true);
  EXPECT_GRADGRADCHECK([](const auto& in) { return swish_example::swish(in[0], 0.8); }, {x});
}

}  // namespace
