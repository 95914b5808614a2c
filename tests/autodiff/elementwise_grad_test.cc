// Gradients of the elementwise ops: unary math, powers, operators with scalars, and binary ops
// with NumPy broadcasting (whose gradients must sum back over the broadcast dimensions).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "tests/autodiff/grad_case.h"

namespace lucid::test {
namespace {

using In = std::vector<Tensor>;

GradCase unary(std::string name, Tensor (*f)(const Tensor&), std::function<In()> inputs, bool second = true) {
  return {std::move(name), [f](const In& in) { return f(in[0]); }, std::move(inputs), second};
}

std::vector<GradCase> unary_cases() {
  std::vector<GradCase> cases{
      unary("neg", lucid::neg, normal_inputs({{3, 4}})),
      unary("exp", lucid::exp, normal_inputs({{3, 4}})),
      unary("log", lucid::log, positive_inputs({{3, 4}})),
      unary("sqrt", lucid::sqrt, positive_inputs({{3, 4}})),
      unary("relu", lucid::relu, [] { return In{away_from_zero({3, 4})}; }),
      unary("sigmoid", lucid::sigmoid, [] { return In{uniform({3, 4}, -5.0, 5.0)}; }),
      unary("tanh", lucid::tanh, [] { return In{uniform({3, 4}, -2.5, 2.5)}; }),
      unary("abs", lucid::abs, [] { return In{away_from_zero({3, 4})}; }),
      unary("rsqrt", lucid::rsqrt, positive_inputs({{3, 4}})),
      unary("silu", lucid::silu, [] { return In{uniform({3, 4}, -4.0, 4.0)}; }),
      unary("gelu", lucid::gelu, [] { return In{uniform({3, 4}, -3.0, 3.0)}; }),
      unary("gelu_tanh", lucid::gelu_tanh, [] { return In{uniform({3, 4}, -3.0, 3.0)}; }),
      unary("erf", lucid::erf, [] { return In{uniform({3, 4}, -3.0, 3.0)}; }),
      unary("exp_0d", lucid::exp, normal_inputs({{}})),
  };
  // x^p for exponents with special cases in the kernel (0, 1, 2) and fractional / negative ones.
  const std::vector<std::pair<std::string, double>> exponents{
      {"0", 0.0}, {"1", 1.0}, {"2", 2.0}, {"3", 3.0}, {"0p5", 0.5}, {"m1p5", -1.5}, {"m1", -1.0}};
  for (const auto& [label, p] : exponents) {
    cases.push_back({"pow_" + label, [p = p](const In& in) { return pow(in[0], p); }, positive_inputs({{2, 3}}), true});
  }
  // Integer powers of negative bases are real.
  for (double p : {2.0, 3.0}) {
    cases.push_back({"pow_" + std::to_string(static_cast<int>(p)) + "_negative_base",
                     [p](const In& in) { return pow(in[0], p); }, [] { return In{uniform({5}, -2.0, -0.5)}; }, true});
  }
  return cases;
}

std::vector<GradCase> scalar_operator_cases() {
  auto op = [](std::string name, std::function<Tensor(const Tensor&)> f) {
    return GradCase{std::move(name), [f](const In& in) { return f(in[0]); }, positive_inputs({{2, 3}}), true};
  };
  return {
      op("x_times_2", [](const Tensor& x) { return x * 2.0; }),
      op("2_times_x", [](const Tensor& x) { return 2.0 * x; }),
      op("x_plus_1p5", [](const Tensor& x) { return x + 1.5; }),
      op("3_plus_x", [](const Tensor& x) { return 3.0 + x; }),
      op("x_minus_0p5", [](const Tensor& x) { return x - 0.5; }),
      op("2_minus_x", [](const Tensor& x) { return 2.0 - x; }),
      op("x_over_3", [](const Tensor& x) { return x / 3.0; }),
      op("1_over_x", [](const Tensor& x) { return 1.0 / x; }),
      op("unary_minus", [](const Tensor& x) { return -x; }),
      op("methods", [](const Tensor& x) { return x.exp() + x.log() + x.sqrt() + x.pow(1.5) + x.tanh() + x.sigmoid(); }),
  };
}

// Every binary op on every pair of broadcastable shapes, with both inputs requiring grad.
std::vector<GradCase> binary_cases() {
  struct Op {
    std::string name;
    Tensor (*f)(const Tensor&, const Tensor&);
  };
  struct Shapes {
    std::string name;
    Shape a, b;
  };
  const std::vector<Op> ops{{"add", lucid::add},         {"sub", lucid::sub},        {"mul", lucid::mul},
                            {"div", lucid::div},         {"maximum", lucid::maximum}, {"minimum", lucid::minimum}};
  const std::vector<Shapes> shapes{{"same", {3, 4}, {3, 4}},       {"col_row", {3, 1}, {1, 4}},
                                   {"3d_vec", {2, 3, 4}, {4}},     {"vec_3d", {4}, {2, 3, 4}},
                                   {"vec_scalar", {5}, {}},        {"scalar_vec", {}, {5}},
                                   {"mixed", {2, 1, 3}, {5, 1}},   {"scalars", {}, {}}};
  std::vector<GradCase> cases;
  for (const Op& op : ops) {
    for (const Shapes& s : shapes) {
      // positive operands: b is a safe divisor for div
      cases.push_back({op.name + "_" + s.name, [f = op.f](const In& in) { return f(in[0], in[1]); },
                       positive_inputs({s.a, s.b}), op.name == "mul" || op.name == "div"});
    }
  }
  // One operand a constant (needs_input_grad false), and the same tensor on both sides.
  auto constant_b = [](const Shape& a, const Shape& b) {
    return [a, b] { return In{uniform(a, 0.5, 2.0), uniform(b, 0.5, 2.0, /*requires_grad=*/false)}; };
  };
  auto constant_a = [](const Shape& a, const Shape& b) {
    return [a, b] { return In{uniform(a, 0.5, 2.0, /*requires_grad=*/false), uniform(b, 0.5, 2.0)}; };
  };
  cases.push_back({"mul_constant_rhs", [](const In& in) { return in[0] * in[1]; }, constant_b({3, 1}, {4}), true});
  cases.push_back({"div_constant_lhs", [](const In& in) { return in[0] / in[1]; }, constant_a({4}, {3, 1}), true});
  cases.push_back({"sub_constant_lhs", [](const In& in) { return in[0] - in[1]; }, constant_a({2, 2}, {2, 2})});
  cases.push_back({"x_times_x", [](const In& in) { return in[0] * in[0]; }, normal_inputs({{4}}), true});
  cases.push_back({"x_plus_x", [](const In& in) { return in[0] + in[0]; }, normal_inputs({{4}})});
  // where(condition, a, b): the condition (third input, no grad) is a constant 0/1 mask.
  for (const Shapes& s : shapes) {
    cases.push_back({"where_" + s.name, [](const In& in) { return where(in[2], in[0], in[1]); },
                     [s] {
                       const Shape out = broadcast_shapes(s.a, s.b);
                       return In{randn(s.a, float64, true), randn(s.b, float64, true),
                                 greater(randn(out, float64), zeros({}, float64))};
                     },
                     true});
  }
  cases.push_back({"x_over_x_squared", [](const In& in) { return in[0] / (in[0] * in[0]); }, positive_inputs({{4}}),
                   true});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Unary, OpGradients, ::testing::ValuesIn(unary_cases()), ParamName{});
INSTANTIATE_TEST_SUITE_P(Unary, OpSecondGradients, ::testing::ValuesIn(second_order(unary_cases())), ParamName{});
INSTANTIATE_TEST_SUITE_P(ScalarOperators, OpGradients, ::testing::ValuesIn(scalar_operator_cases()), ParamName{});
INSTANTIATE_TEST_SUITE_P(ScalarOperators, OpSecondGradients,
                         ::testing::ValuesIn(second_order(scalar_operator_cases())), ParamName{});
INSTANTIATE_TEST_SUITE_P(Binary, OpGradients, ::testing::ValuesIn(binary_cases()), ParamName{});
INSTANTIATE_TEST_SUITE_P(Binary, OpSecondGradients, ::testing::ValuesIn(second_order(binary_cases())), ParamName{});

// ---- broadcasting: the gradient has the input's shape and sums over the broadcast dimensions ----

TEST(BroadcastGradient, ColumnPlusRowSumsOverTheOtherAxis) {
  const Tensor a = randn({3, 1}, float64, true);
  const Tensor b = randn({1, 4}, float64, true);
  (a + b).sum().backward();
  // d Σ_ij (a_i + b_j) / d a_i = 4 (the row length), / d b_j = 3.
  expect_values_near(a.grad(), {3, 1}, std::vector<double>(3, 4.0), 0.0);
  expect_values_near(b.grad(), {1, 4}, std::vector<double>(4, 3.0), 0.0);
}

TEST(BroadcastGradient, TrailingVectorTimesTensor) {
  const Tensor a = randn({2, 3, 4}, float64, true);
  const Tensor b = randn({4}, float64, true);
  const Tensor w = randn({2, 3, 4}, float64);  // upstream gradient
  (a * b).backward(w);
  const std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>(), wv = w.to_vector<double>();
  // d/da_ijk = w_ijk·b_k, d/db_k = Σ_ij w_ijk·a_ijk
  std::vector<double> da(24), db(4, 0.0);
  for (std::size_t i = 0; i < 24; ++i) {
    da[i] = wv[i] * bv[i % 4];
    db[i % 4] += wv[i] * av[i];
  }
  expect_values_near(a.grad(), {2, 3, 4}, da, 1e-12);
  expect_values_near(b.grad(), {4}, db, 1e-12);
}

TEST(BroadcastGradient, ScalarOperandGetsTheSum) {
  const Tensor x = randn({5}, float64, true);
  const Tensor s = scalar_tensor(2.0, float64, true);
  const Tensor w = tensor(std::vector<double>{1, 2, 3, 4, 5}, {5});
  (x / s).backward(w);
  // d(x/s)/ds = -Σ w_i·x_i / s², d/dx_i = w_i / s
  const std::vector<double> xv = x.to_vector<double>();
  double ds = 0.0;
  for (std::size_t i = 0; i < 5; ++i) ds -= (i + 1.0) * xv[i] / 4.0;
  expect_values_near(s.grad(), {}, {ds}, 1e-12);
  expect_values_near(x.grad(), {5}, {0.5, 1.0, 1.5, 2.0, 2.5}, 1e-15);
}

TEST(BroadcastGradient, MixedShapesGiveInputShapedGradients) {
  const Tensor a = randn({2, 1, 3}, float64, true);
  const Tensor b = randn({5, 1}, float64, true);
  (a - b).sum().backward();
  expect_values_near(a.grad(), {2, 1, 3}, std::vector<double>(6, 5.0), 0.0);
  expect_values_near(b.grad(), {5, 1}, std::vector<double>(5, -6.0), 0.0);
}

// ---- closed-form first derivatives at chosen points (independent of central differences) ----

struct DerivativeCase {
  std::string name;
  Tensor (*f)(const Tensor&);
  double (*derivative)(double);
  std::vector<double> at;
};

class ClosedFormDerivative : public ::testing::TestWithParam<DerivativeCase> {};

TEST_P(ClosedFormDerivative, MatchesTheFormula) {
  const DerivativeCase& c = GetParam();
  const Tensor x = tensor(c.at, {static_cast<std::int64_t>(c.at.size())}, true);
  c.f(x).sum().backward();
  std::vector<double> expected;
  for (double v : c.at) expected.push_back(c.derivative(v));
  expect_values_near(x.grad(), x.shape(), expected, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(
    Ops, ClosedFormDerivative,
    ::testing::Values(
        DerivativeCase{"exp", lucid::exp, [](double v) { return std::exp(v); }, {-1.0, 0.0, 2.0}},
        DerivativeCase{"log", lucid::log, [](double v) { return 1.0 / v; }, {0.25, 1.0, 3.0}},
        DerivativeCase{"sqrt", lucid::sqrt, [](double v) { return 0.5 / std::sqrt(v); }, {0.25, 1.0, 9.0}},
        DerivativeCase{"relu", lucid::relu, [](double v) { return v > 0 ? 1.0 : 0.0; }, {-2.0, -0.5, 0.5, 3.0}},
        DerivativeCase{"sigmoid", lucid::sigmoid,
                       [](double v) { return std::exp(-v) / ((1 + std::exp(-v)) * (1 + std::exp(-v))); },
                       {-3.0, 0.0, 1.0}},
        DerivativeCase{"tanh", lucid::tanh, [](double v) { return 1.0 / (std::cosh(v) * std::cosh(v)); },
                       {-1.0, 0.0, 0.5}},
        DerivativeCase{"neg", lucid::neg, [](double) { return -1.0; }, {-1.0, 2.0}},
        DerivativeCase{"abs", lucid::abs, [](double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; }, {-2.0, 0.0, 0.5}},
        DerivativeCase{"relu_at_0", lucid::relu, [](double) { return 0.0; }, {0.0}},
        DerivativeCase{"rsqrt", lucid::rsqrt, [](double v) { return -0.5 * std::pow(v, -1.5); }, {0.25, 1.0, 4.0}},
        DerivativeCase{"silu", lucid::silu,
                       [](double v) {
                         const double s = 1.0 / (1.0 + std::exp(-v));
                         return s * (1.0 + v * (1.0 - s));
                       },
                       {-3.0, 0.0, 1.5}},
        DerivativeCase{"erf", lucid::erf, [](double v) { return 2.0 / std::sqrt(std::numbers::pi) * std::exp(-v * v); },
                       {-2.0, 0.0, 0.5, 3.0}},
        DerivativeCase{"gelu", lucid::gelu,
                       [](double v) {  // gelu = ½v(1 + erf(v/√2)): Φ(v) + v·φ(v)
                         return 0.5 * (1.0 + std::erf(v / std::sqrt(2.0))) +
                                v * std::exp(-0.5 * v * v) / std::sqrt(2.0 * std::numbers::pi);
                       },
                       {-2.0, -0.5, 0.0, 1.0, 3.0}},
        DerivativeCase{"gelu_tanh", lucid::gelu_tanh,
                       [](double v) {  // u = k(v + 0.044715v³), gelu = ½v(1 + tanh u)
                         const double k = std::sqrt(2.0 / std::numbers::pi);
                         const double th = std::tanh(k * (v + 0.044715 * v * v * v));
                         return 0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * k * (1.0 + 3.0 * 0.044715 * v * v);
                       },
                       {-2.0, -0.5, 0.0, 1.0, 3.0}}),
    ParamName{});

TEST(ClosedFormPow, AtChosenExponents) {
  for (double p : {0.0, 1.0, 2.0, 0.5, -1.5, 3.0}) {
    const Tensor x = tensor(std::vector<double>{0.5, 1.0, 4.0}, {3}, true);
    pow(x, p).sum().backward();
    std::vector<double> expected;
    for (double v : {0.5, 1.0, 4.0}) expected.push_back(p == 0.0 ? 0.0 : p * std::pow(v, p - 1.0));
    SCOPED_TRACE("p = " + std::to_string(p));
    expect_values_near(x.grad(), {3}, expected, 1e-12);
  }
}

TEST(ClosedFormMaxMin, TiesSplitTheGradient) {
  // A tie sends half the gradient to each operand (PyTorch); elsewhere all of it to the chosen one.
  const Tensor a = tensor(std::vector<double>{1, 5, 2}, {3}, true);
  const Tensor b = tensor(std::vector<double>{1, 3, 4}, {3}, true);
  maximum(a, b).sum().backward();
  expect_values_near(a.grad(), {3}, {0.5, 1, 0}, 0.0);
  expect_values_near(b.grad(), {3}, {0.5, 0, 1}, 0.0);
  a.set_grad(Tensor());
  b.set_grad(Tensor());
  minimum(a, b).sum().backward();
  expect_values_near(a.grad(), {3}, {0.5, 0, 1}, 0.0);
  expect_values_near(b.grad(), {3}, {0.5, 1, 0}, 0.0);
}

TEST(ClosedFormWhere, RoutesTheGradientByTheCondition) {
  const Tensor a = tensor(std::vector<double>{1, 2, 3}, {3}, true);
  const Tensor b = tensor(std::vector<double>{10}, {1}, true);  // broadcast
  const Tensor condition = tensor(std::vector<double>{1, 0, 1}, {3});
  const Tensor w = tensor(std::vector<double>{0.5, 2, 4}, {3});
  const Tensor y = where(condition, a, b);
  expect_values_near(y, {3}, {1, 10, 3}, 0.0);
  y.backward(w);
  expect_values_near(a.grad(), {3}, {0.5, 0, 4}, 0.0);
  expect_values_near(b.grad(), {1}, {2}, 0.0);
}

TEST(ClosedFormSigmoid, GradientAtLargeInputsIsFinite) {
  const Tensor x = tensor(std::vector<double>{-800.0, 800.0}, {2}, true);
  sigmoid(x).sum().backward();
  for (double g : x.grad().to_vector<double>()) {
    EXPECT_FALSE(std::isnan(g));
    EXPECT_EQ(g, 0.0);
  }
}

}  // namespace
}  // namespace lucid::test
