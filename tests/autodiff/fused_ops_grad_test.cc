// Gradients of the ops generated from expressions (first and second order) against float64
// central differences, including the ops added with the expression layer.
#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"

namespace {

using lucid::Tensor;

struct UnaryCase {
  const char* name;
  Tensor (*op)(const Tensor&);
  double offset;  // inputs are randn + offset (keeps log/sqrt/rsqrt in their domain)
  double scale;
};

class FusedUnaryGradient : public ::testing::TestWithParam<UnaryCase> {};

TEST_P(FusedUnaryGradient, MatchesCentralDifferences) {
  const UnaryCase& c = GetParam();
  lucid::manual_seed(7);
  const Tensor x = (lucid::randn({3, 5}, lucid::float64) * c.scale + c.offset).detach().requires_grad_();
  EXPECT_GRADCHECK([&c](const auto& in) { return c.op(in[0]); }, {x});
  EXPECT_GRADGRADCHECK([&c](const auto& in) { return c.op(in[0]); }, {x});
}

// abs and relu have a kink at 0, where central differences disagree with any one-sided gradient:
// their inputs are randn ± 3, clear of it for this seed.
INSTANTIATE_TEST_SUITE_P(
    Ops, FusedUnaryGradient,
    ::testing::Values(UnaryCase{"neg", lucid::neg, 0, 1}, UnaryCase{"abs_positive", lucid::abs, 3, 1},
                      UnaryCase{"abs_negative", lucid::abs, -3, 1}, UnaryCase{"exp", lucid::exp, 0, 1},
                      UnaryCase{"log", lucid::log, 4, 1}, UnaryCase{"sqrt", lucid::sqrt, 4, 1},
                      UnaryCase{"rsqrt", lucid::rsqrt, 4, 1}, UnaryCase{"relu_positive", lucid::relu, 3, 1},
                      UnaryCase{"sigmoid", lucid::sigmoid, 0, 2}, UnaryCase{"tanh", lucid::tanh, 0, 1},
                      UnaryCase{"silu", lucid::silu, 0, 2}, UnaryCase{"gelu", lucid::gelu, 0, 2},
                      UnaryCase{"gelu_tanh", lucid::gelu_tanh, 0, 2}, UnaryCase{"erf", lucid::erf, 0, 2}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(FusedBinaryGradient, MaximumAndMinimumRouteTheGradientToTheChosenOperand) {
  lucid::manual_seed(8);
  const Tensor a = lucid::randn({4, 3}, lucid::float64, true);
  const Tensor b = lucid::randn({3}, lucid::float64, true);  // broadcast
  EXPECT_GRADCHECK([](const auto& in) { return lucid::maximum(in[0], in[1]); }, {a, b});
  EXPECT_GRADCHECK([](const auto& in) { return lucid::minimum(in[0], in[1]); }, {a, b});
  const Tensor m = lucid::maximum(a, b).sum();
  m.backward();
  const auto av = a.to_vector<double>(), bv = b.to_vector<double>(), ga = a.grad().to_vector<double>();
  for (std::size_t i = 0; i < av.size(); ++i) EXPECT_EQ(ga[i], av[i] > bv[i % 3] ? 1.0 : 0.0) << i;
}

TEST(FusedBinaryGradient, WhereSelectsAndSendsNoGradientToTheCondition) {
  lucid::manual_seed(9);
  const Tensor a = lucid::randn({5}, lucid::float64, true);
  const Tensor b = lucid::randn({5}, lucid::float64, true);
  const Tensor condition = lucid::greater(a, b);
  EXPECT_GRADCHECK([&condition](const auto& in) { return lucid::where(condition, in[0] * in[0], in[1]); }, {a, b});
  const auto picked = lucid::where(condition, a, b).to_vector<double>();
  const auto av = a.to_vector<double>(), bv = b.to_vector<double>();
  for (std::size_t i = 0; i < av.size(); ++i) EXPECT_EQ(picked[i], std::max(av[i], bv[i]));
}

TEST(FusedScalarOps, GradientsAndValues) {
  lucid::manual_seed(10);
  const Tensor x = (lucid::randn({6}, lucid::float64) + 3.0).detach().requires_grad_();
  EXPECT_GRADCHECK([](const auto& in) { return in[0] + 2.5; }, {x});
  EXPECT_GRADCHECK([](const auto& in) { return in[0] - 2.5; }, {x});
  EXPECT_GRADCHECK([](const auto& in) { return in[0] * -1.5; }, {x});
  EXPECT_GRADCHECK([](const auto& in) { return in[0] / 3.0; }, {x});
  EXPECT_GRADCHECK([](const auto& in) { return 2.0 - in[0]; }, {x});
  EXPECT_GRADGRADCHECK([](const auto& in) { return 2.0 / in[0]; }, {x});
  const auto v = x.to_vector<double>();
  const auto q = (1.0 / x).to_vector<double>();
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_DOUBLE_EQ(q[i], 1.0 / v[i]);
}

TEST(FusedOps, Float32ResultsAgreeWithFloat64) {
  lucid::manual_seed(11);
  const Tensor x64 = lucid::randn({1000}, lucid::float64) * 3.0;
  const Tensor x32 = x64.to(lucid::float32);
  for (auto op : {lucid::sigmoid, lucid::tanh, lucid::silu, lucid::gelu, lucid::gelu_tanh, lucid::erf, lucid::exp}) {
    const auto want = op(x64).to_vector<double>();
    const auto got = op(x32).to_vector<double>();
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 2e-6 * (1 + std::abs(want[i])));
  }
}

}  // namespace
