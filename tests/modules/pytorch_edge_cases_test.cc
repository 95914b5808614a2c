// Edge cases of single ops against PyTorch 1.13 (issue 25, item 4): ±inf, NaN and signed zeros in
// values and gradients. The expected values are PyTorch's, printed by tests/golden/edge_cases_torch.py
// (they cannot go through the JSON golden files); each test runs float32 and float64.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "lucid.h"

namespace {

using lucid::DType;
using lucid::Tensor;
namespace F = lucid::nn::functional;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
const std::vector<DType> kDtypes = {lucid::float32, lucid::float64};

// A leaf of dtype holding values (NaN, ±inf and −0 kept).
Tensor leaf(const std::vector<double>& values, const lucid::Shape& shape, DType dtype) {
  return lucid::tensor(values, shape).to(dtype).detach().requires_grad_(true);
}

// Element for element: NaN where PyTorch has NaN, the same sign of zero, otherwise within rtol.
void expect_like_pytorch(const Tensor& got, const std::vector<double>& want, const std::string& what,
                         double rtol = 1e-6) {
  const std::vector<double> g = got.to_vector<double>();
  ASSERT_EQ(g.size(), want.size()) << what;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(g[i])) << what << "[" << i << "] = " << g[i] << ", PyTorch NaN";
    } else if (want[i] == 0 || std::isinf(want[i])) {
      EXPECT_EQ(g[i], want[i]) << what << "[" << i << "]";
      EXPECT_EQ(std::signbit(g[i]), std::signbit(want[i])) << what << "[" << i << "] = " << g[i] << ", PyTorch " << want[i];
    } else {
      EXPECT_NEAR(g[i], want[i], rtol * std::abs(want[i])) << what << "[" << i << "]";
    }
  }
}

TEST(PyTorchEdgeCases, LogSoftmaxOfARowHoldingInfIsAllNaN) {
  for (DType dtype : kDtypes) {
    const Tensor x = leaf({1, inf, 2, inf, inf, 0, -inf, 0, 1}, {3, 3}, dtype);
    const Tensor y = F::log_softmax(x);
    expect_like_pytorch(y, {nan, nan, nan, nan, nan, nan, -inf, -1.3132616875182228, -0.31326168751822286},
                        "log_softmax");
    y.backward(lucid::ones({3, 3}, dtype));
    expect_like_pytorch(x.grad(), {nan, nan, nan, nan, nan, nan, 1.0, 0.1931757358900147, -1.1931757358900148},
                        "d log_softmax");
  }
}

TEST(PyTorchEdgeCases, PowOfPlusMinusHalfGoesThroughSqrt) {
  const std::vector<double> base = {-inf, -0.0, 0.0, inf, -1.0, 4.0, nan};
  for (DType dtype : kDtypes) {
    Tensor x = leaf(base, {7}, dtype);
    Tensor y = lucid::pow(x, 0.5);
    expect_like_pytorch(y, {nan, -0.0, 0.0, inf, nan, 2.0, nan}, "pow(x, 0.5)");
    y.sum().backward();
    expect_like_pytorch(x.grad(), {nan, -inf, inf, 0.0, nan, 0.25, nan}, "d pow(x, 0.5)");
    x = leaf(base, {7}, dtype);
    y = lucid::pow(x, -0.5);
    expect_like_pytorch(y, {nan, -inf, inf, 0.0, nan, 0.5, nan}, "pow(x, -0.5)");
    y.sum().backward();
    expect_like_pytorch(x.grad(), {-0.0, -inf, -inf, -0.0, nan, -0.0625, nan}, "d pow(x, -0.5)");
  }
}

TEST(PyTorchEdgeCases, ReluPassesTheGradientAtNaN) {
  for (DType dtype : kDtypes) {
    for (bool inplace : {false, true}) {
      SCOPED_TRACE(inplace ? "relu_" : "relu");
      const Tensor x = leaf({nan, -1, 0, -0.0, 1}, {5}, dtype);
      Tensor y = x * 1.0;  // a non-leaf, so relu_ may write into it
      y = inplace ? y.relu_() : lucid::relu(y);
      expect_like_pytorch(y, {nan, 0, 0, -0.0, 1}, "relu");
      y.backward(lucid::full({5}, 2.0, dtype));
      expect_like_pytorch(x.grad(), {2, 0, 0, 0, 2}, "d relu");
    }
  }
}

TEST(PyTorchEdgeCases, RsqrtGradientAtSignedZero) {
  for (DType dtype : kDtypes) {
    const Tensor x = leaf({-0.0, 0.0, -1, inf, -inf}, {5}, dtype);
    const Tensor y = lucid::rsqrt(x);
    expect_like_pytorch(y, {-inf, inf, nan, 0.0, nan}, "rsqrt");
    y.sum().backward();
    expect_like_pytorch(x.grad(), {inf, -inf, nan, -0.0, nan}, "d rsqrt");
  }
}

// Ties split the gradient half and half; where either operand is NaN both get all of it.
TEST(PyTorchEdgeCases, MaximumAndMinimumSplitTiesAndPassNaN) {
  for (DType dtype : kDtypes) {
    for (bool is_max : {true, false}) {
      SCOPED_TRACE(is_max ? "maximum" : "minimum");
      const Tensor a = leaf({1, 2, nan, 1, nan}, {5}, dtype);
      const Tensor b = leaf({1, 1, 1, nan, nan}, {5}, dtype);
      const Tensor y = is_max ? lucid::maximum(a, b) : lucid::minimum(a, b);
      expect_like_pytorch(y, {1, is_max ? 2.0 : 1.0, nan, nan, nan}, "value");
      y.backward(lucid::full({5}, 4.0, dtype));
      expect_like_pytorch(a.grad(), {2, is_max ? 4.0 : 0.0, 4, 4, 4}, "da");
      expect_like_pytorch(b.grad(), {2, is_max ? 0.0 : 4.0, 4, 4, 4}, "db");
    }
  }
}

// Under create_graph the same rules run as differentiable ops (the conditions as 0/1 tensors).
TEST(PyTorchEdgeCases, MaximumTieRuleAlsoUnderCreateGraph) {
  const Tensor a = leaf({1, 2, nan}, {3}, lucid::float64);
  const Tensor b = leaf({1, 1, 1}, {3}, lucid::float64);
  const auto grads = lucid::autograd::grad(lucid::maximum(a, b).sum(), {a, b}, {}, /*retain_graph=*/true,
                                           /*create_graph=*/true);
  expect_like_pytorch(grads[0], {0.5, 1, 1}, "da");
  expect_like_pytorch(grads[1], {0.5, 0, 1}, "db");
}

TEST(PyTorchEdgeCases, LinearWithNoInputFeaturesReturnsTheBias) {
  for (DType dtype : kDtypes) {
    const Tensor w = lucid::zeros({3, 0}, dtype);
    const Tensor bias = leaf({1, 2, 3}, {3}, dtype);
    const Tensor x = lucid::zeros({2, 0}, dtype).requires_grad_(true);
    const Tensor y = F::linear(x, w, bias);
    expect_like_pytorch(y, {1, 2, 3, 1, 2, 3}, "linear");
    EXPECT_EQ(y.shape(), lucid::Shape({2, 3}));
    y.sum().backward();
    expect_like_pytorch(bias.grad(), {2, 2, 2}, "dbias");
    EXPECT_EQ(x.grad().shape(), lucid::Shape({2, 0}));
    EXPECT_EQ(F::linear(lucid::zeros({4, 2, 0}, dtype), w, bias).shape(), lucid::Shape({4, 2, 3}));
    expect_like_pytorch(F::linear(lucid::zeros({0}, dtype), w, bias), {1, 2, 3}, "linear of (0,)");
    expect_like_pytorch(F::linear(lucid::zeros({2, 0}, dtype), w, Tensor()), {0, 0, 0, 0, 0, 0}, "no bias");
  }
}

}  // namespace
