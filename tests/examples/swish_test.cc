// The user-defined swish op of examples/swish: values against the closed form, and its generated
// backward (first and second order) against float64 central differences; the same activation fused
// into GroupNorm (group_norm_swish) against the unfused pair and central differences.
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

TEST(GroupNormSwish, MatchesGroupNormThenSwish) {
  lucid::manual_seed(4);
  for (lucid::DType dtype : {lucid::float32, lucid::float64}) {
    const lucid::Tensor x = lucid::randn({3, 6, 5, 7}, dtype) * 3.0 + 1.0;
    const lucid::Tensor w = lucid::randn({6}, dtype), b = lucid::randn({6}, dtype);
    const std::vector<double> fused = swish_example::group_norm_swish(x, 3, w, b, 1e-5, 0.7).to_vector<double>();
    const std::vector<double> xhat = lucid::nn::functional::group_norm(x.to(lucid::float64), 3, w.to(lucid::float64),
                                                                       b.to(lucid::float64), 1e-5)
                                         .to_vector<double>();
    for (std::size_t i = 0; i < xhat.size(); ++i) {
      EXPECT_NEAR(fused[i], swish_reference(xhat[i], 0.7), 1e-5 * (1 + std::abs(fused[i]))) << "element " << i;
    }
  }
}

TEST(GroupNormSwish, FirstAndSecondDerivativesMatchCentralDifferences) {
  lucid::manual_seed(5);
  const std::vector<lucid::Tensor> inputs{lucid::randn({2, 4, 3}, lucid::float64, true),
                                          lucid::randn({4}, lucid::float64, true),
                                          lucid::randn({4}, lucid::float64, true)};
  const auto fn = [](const std::vector<lucid::Tensor>& in) {
    return swish_example::group_norm_swish(in[0], 2, in[1], in[2], 1e-5, 1.3);
  };
  EXPECT_GRADCHECK(fn, inputs);
  EXPECT_GRADGRADCHECK(fn, inputs);
}

}  // namespace
