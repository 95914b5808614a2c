// Forward values of the elementwise ops against <cmath> in float64, in both dtypes, and the
// broadcasting layout of binary ops.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace lucid::test {
namespace {

struct UnaryForward {
  std::string name;
  Tensor (*op)(const Tensor&);
  double (*reference)(double);
  std::vector<double> at;
};

class UnaryValues : public ::testing::TestWithParam<UnaryForward> {};

TEST_P(UnaryValues, MatchCmathInBothDtypes) {
  const UnaryForward& c = GetParam();
  const Shape shape{static_cast<std::int64_t>(c.at.size())};
  expect_values_near(c.op(tensor(c.at, shape)), shape, map_values(tensor(c.at, shape), c.reference), 1e-14);
  // float32: the float-rounded input, and float32 accuracy of the result.
  const Tensor x32 = tensor(c.at, shape).to(float32);
  const Tensor y32 = c.op(x32);
  EXPECT_EQ(y32.dtype(), float32);
  const std::vector<double> expected = map_values(x32, c.reference);
  const std::vector<double> got = y32.to_vector<double>();
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-6 * (1 + std::abs(expected[i])));
}

double sigmoid_reference(double v) { return 1.0 / (1.0 + std::exp(-v)); }

INSTANTIATE_TEST_SUITE_P(
    Ops, UnaryValues,
    ::testing::Values(UnaryForward{"neg", lucid::neg, [](double v) { return -v; }, {-1.5, 0.0, 2.25}},
                      UnaryForward{"exp", lucid::exp, [](double v) { return std::exp(v); }, {-3.0, 0.0, 0.5, 4.0}},
                      UnaryForward{"log", lucid::log, [](double v) { return std::log(v); }, {0.1, 1.0, 2.718, 50.0}},
                      UnaryForward{"sqrt", lucid::sqrt, [](double v) { return std::sqrt(v); }, {0.0, 0.25, 2.0, 9.0}},
                      UnaryForward{"relu", lucid::relu, [](double v) { return v > 0 ? v : 0.0; }, {-2.0, 0.0, 3.5}},
                      UnaryForward{"sigmoid", lucid::sigmoid, sigmoid_reference, {-4.0, -0.5, 0.0, 0.5, 4.0}},
                      UnaryForward{"tanh", lucid::tanh, [](double v) { return std::tanh(v); }, {-2.0, 0.0, 0.3}},
                      UnaryForward{"abs", lucid::abs, [](double v) { return std::abs(v); }, {-2.5, 0.0, 1.5}},
                      UnaryForward{"rsqrt", lucid::rsqrt, [](double v) { return 1.0 / std::sqrt(v); },
                                   {0.25, 2.0, 9.0}},
                      UnaryForward{"silu", lucid::silu, [](double v) { return v * sigmoid_reference(v); },
                                   {-6.0, -1.0, 0.0, 2.0, 8.0}},
                      UnaryForward{"erf", lucid::erf, [](double v) { return std::erf(v); },
                                   {-4.0, -1.0, 0.0, 0.5, 3.0}},
                      UnaryForward{"gelu", lucid::gelu,
                                   [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); },
                                   {-4.0, -1.0, 0.0, 0.5, 3.0}},
                      UnaryForward{"gelu_tanh", lucid::gelu_tanh,
                                   [](double v) {
                                     const double k = std::sqrt(2.0 / std::numbers::pi);
                                     return 0.5 * v * (1.0 + std::tanh(k * (v + 0.044715 * v * v * v)));
                                   },
                                   {-4.0, -1.0, 0.0, 0.5, 3.0}}),
    ParamName{});

TEST(SigmoidValues, ZeroGivesOneHalf) {
  EXPECT_EQ(sigmoid(scalar_tensor(0.0)).item(), 0.5);
  EXPECT_EQ(sigmoid(scalar_tensor(0.0, float64)).item(), 0.5);
}

TEST(SigmoidValues, LargeInputsSaturateWithoutNaN) {
  for (DType dtype : {float32, float64}) {
    const Tensor y = sigmoid(tensor({-1000.0, -100.0, 100.0, 1000.0}, {4}).to(dtype));
    const std::vector<double> v = y.to_vector<double>();
    for (double e : v) EXPECT_FALSE(std::isnan(e));
    EXPECT_EQ(v[0], 0.0);
    EXPECT_NEAR(v[1], std::exp(-100.0), 0.05 * std::exp(-100.0));  // a float32 subnormal: ~4% spacing
    EXPECT_EQ(v[2], 1.0);
    EXPECT_EQ(v[3], 1.0);
  }
}

TEST(PowValues, SpecialAndGeneralExponents) {
  const std::vector<double> at{0.0, 0.5, 2.0, 3.0};
  const Tensor x = tensor(at, {4});
  for (double p : {0.0, 1.0, 2.0, 3.0, 0.5, -1.5}) {
    SCOPED_TRACE("p = " + std::to_string(p));
    expect_values_near(pow(x, p), {4}, map_values(x, [p](double v) { return std::pow(v, p); }), 1e-14);
  }
  EXPECT_EQ(pow(tensor(std::vector<double>{-3.0}, {1}), 2.0).item(), 9.0);
  EXPECT_EQ(pow(tensor(std::vector<double>{-2.0}, {1}), 3.0).item(), -8.0);
}

TEST(BinaryValues, BroadcastColumnAndRow) {
  const Tensor col = tensor(std::vector<double>{1, 2, 3}, {3, 1});
  const Tensor row = tensor(std::vector<double>{10, 20, 30, 40}, {1, 4});
  std::vector<double> sum, diff, prod, quot;
  for (double c : {1.0, 2.0, 3.0}) {
    for (double r : {10.0, 20.0, 30.0, 40.0}) {
      sum.push_back(c + r);
      diff.push_back(c - r);
      prod.push_back(c * r);
      quot.push_back(c / r);
    }
  }
  expect_values_near(col + row, {3, 4}, sum, 0.0);
  expect_values_near(col - row, {3, 4}, diff, 0.0);
  expect_values_near(col * row, {3, 4}, prod, 0.0);
  expect_values_near(col / row, {3, 4}, quot, 0.0);
  expect_values_near(row - col, {3, 4}, map_values(col - row, [](double v) { return -v; }), 0.0);
}

TEST(BinaryValues, TrailingVectorAndScalar) {
  const Tensor a = arange(24, float64).reshape({2, 3, 4});
  const Tensor v = tensor(std::vector<double>{1, -1, 2, 0.5}, {4});
  const std::vector<double> m{1, -1, 2, 0.5};
  std::vector<double> expected;
  for (int i = 0; i < 24; ++i) expected.push_back(i * m[static_cast<std::size_t>(i % 4)]);
  expect_values_near(a * v, {2, 3, 4}, expected, 0.0);
  expect_values_near(v * a, {2, 3, 4}, expected, 0.0);
  const Tensor s = scalar_tensor(2.0, float64);
  expect_values_near(v + s, {4}, {3, 1, 4, 2.5}, 0.0);
  expect_values_near(s - v, {4}, {1, 3, 0, 1.5}, 0.0);
}

TEST(BinaryValues, MaximumMinimumWhere) {
  const Tensor a = tensor(std::vector<double>{-1, 5, 2, 0}, {2, 2});
  const Tensor b = tensor(std::vector<double>{1, 3}, {2});  // broadcast along rows
  expect_values_near(maximum(a, b), {2, 2}, {1, 5, 2, 3}, 0.0);
  expect_values_near(minimum(a, b), {2, 2}, {-1, 3, 1, 0}, 0.0);
  expect_values_near(greater(a, b), {2, 2}, {0, 1, 1, 0}, 0.0);
  expect_values_near(where(greater(a, b), a, b), {2, 2}, {1, 5, 2, 3}, 0.0);
}

TEST(ScalarOperators, MatchClosedForm) {
  const Tensor x = tensor(std::vector<double>{-2, 0.5, 4}, {3});
  expect_values_near(x * 2.0, {3}, {-4, 1, 8}, 0.0);
  expect_values_near(3.0 * x, {3}, {-6, 1.5, 12}, 0.0);
  expect_values_near(x + 1.5, {3}, {-0.5, 2, 5.5}, 0.0);
  expect_values_near(1.0 + x, {3}, {-1, 1.5, 5}, 0.0);
  expect_values_near(x - 1.0, {3}, {-3, -0.5, 3}, 0.0);
  expect_values_near(2.0 - x, {3}, {4, 1.5, -2}, 0.0);
  expect_values_near(x / 4.0, {3}, {-0.5, 0.125, 1}, 0.0);
  expect_values_near(1.0 / x, {3}, {-0.5, 2, 0.25}, 0.0);
  expect_values_near(-x, {3}, {2, -0.5, -4}, 0.0);
  // The scalar takes the tensor's dtype.
  EXPECT_EQ((tensor({1}, {1}) * 2.0).dtype(), float32);
  EXPECT_EQ((2.0 - x).dtype(), float64);
}

TEST(MethodForms, AgreeWithFreeFunctions) {
  const Tensor x = uniform({5}, 0.5, 2.0, false);
  const std::vector<std::pair<Tensor, Tensor>> pairs{
      {x.exp(), exp(x)},   {x.log(), log(x)},         {x.sqrt(), sqrt(x)},         {x.relu(), relu(x)},
      {x.tanh(), tanh(x)}, {x.sigmoid(), sigmoid(x)}, {x.pow(1.5), pow(x, 1.5)}, {x.sum(), sum(x)},
      {x.mean(), mean(x)},  {x + 2.0, add(x, 2.0)},   {x - 2.0, sub(x, 2.0)},     {x * 2.0, mul(x, 2.0)},
      {x / 2.0, div(x, 2.0)}, {2.0 - x, sub(2.0, x)},   {2.0 / x, div(2.0, x)},     {2.0 * x, mul(x, 2.0)},
      {x.clamp(0.7, 1.5), clamp(x, 0.7, 1.5)}};
  for (const auto& [method, free] : pairs) EXPECT_EQ(method.to_vector<double>(), free.to_vector<double>());
}

// Every op of framework/kernels/unary_ops.inc has its method, computing what the free function does.
TEST(MethodForms, EveryUnaryOpOfTheListHasOne) {
  const Tensor x = uniform({7}, 0.5, 2.0, false);
  std::vector<std::string> names;
#define LUCID_UNARY_OP(name, Name, group, ...)                                               \
  EXPECT_EQ(x.name().to_vector<double>(), lucid::name(x).to_vector<double>()) << #name; \
  names.push_back(#name);
#include "framework/kernels/unary_ops.inc"
  EXPECT_EQ(names, (std::vector<std::string>{"neg", "abs", "exp", "log", "sqrt", "rsqrt", "erf", "log1p", "expm1", "sin", "cos", "sign",
                                             "floor", "ceil", "round", "relu", "sigmoid", "tanh", "silu", "gelu",
                                             "gelu_tanh"}));
}

}  // namespace
}  // namespace lucid::test
