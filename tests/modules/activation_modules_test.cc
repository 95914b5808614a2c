// The activation modules of the tensor API's third round (nn::Softmax, LogSoftmax, Softplus, LeakyReLU,
// ELU, Hardtanh): PyTorch's reprs (printed by PyTorch 1.13 for the same arguments), and forward equal to
// the functional op. The ops' values and gradients against PyTorch are in differential_test.cc.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "lucid.h"

namespace {

namespace nn = lucid::nn;

std::string repr(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

TEST(ActivationModules, ReprsAsPyTorch) {
  EXPECT_EQ(repr(nn::Softmax(1)), "Softmax(dim=1)");
  EXPECT_EQ(repr(nn::LogSoftmax(-1)), "LogSoftmax(dim=-1)");
  EXPECT_EQ(repr(nn::Softplus()), "Softplus(beta=1, threshold=20)");
  EXPECT_EQ(repr(nn::Softplus({.beta = 0.5, .threshold = 5})), "Softplus(beta=0.5, threshold=5)");
  EXPECT_EQ(repr(nn::LeakyReLU()), "LeakyReLU(negative_slope=0.01)");
  EXPECT_EQ(repr(nn::LeakyReLU({.negative_slope = 0.2})), "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(repr(nn::ELU()), "ELU(alpha=1.0)");
  EXPECT_EQ(repr(nn::ELU({.alpha = 0.5})), "ELU(alpha=0.5)");
  EXPECT_EQ(repr(nn::Hardtanh()), "Hardtanh(min_val=-1.0, max_val=1.0)");
  EXPECT_EQ(repr(nn::Hardtanh({.min_val = -2.5, .max_val = 6.5})), "Hardtanh(min_val=-2.5, max_val=6.5)");
}

TEST(ActivationModules, ForwardIsTheFunctionalOp) {
  lucid::manual_seed(3);
  const lucid::Tensor x = lucid::randn({2, 3, 4}, lucid::float64) * 3.0;
  const auto same = [](const lucid::Tensor& a, const lucid::Tensor& b) {
    EXPECT_EQ(a.shape(), b.shape());
    EXPECT_EQ(a.to_vector<double>(), b.to_vector<double>());
  };
  same(nn::Softmax(1)(x), lucid::softmax(x, 1));
  same(nn::LogSoftmax(-1)(x), x.log_softmax(-1));
  same(nn::Softplus({.beta = 2.0, .threshold = 3.0})(x), lucid::softplus(x, 2.0, 3.0));
  same(nn::LeakyReLU({.negative_slope = 0.1})(x), x.leaky_relu(0.1));
  same(nn::ELU({.alpha = 0.3})(x), lucid::elu(x, 0.3));
  same(nn::Hardtanh({.min_val = -0.5, .max_val = 2.0})(x), x.hardtanh(-0.5, 2.0));
  // Rows of softmax sum to 1.
  for (double v : nn::Softmax(-1)(x).sum(-1).to_vector<double>()) EXPECT_NEAR(v, 1.0, 1e-15);
}

// Inside a Sequential, with a gradient to the input.
TEST(ActivationModules, SequentialBackward) {
  nn::Sequential net{nn::LeakyReLU(), nn::ELU(), nn::Softplus(), nn::Hardtanh(), nn::LogSoftmax(1)};
  const lucid::Tensor x = lucid::randn({3, 5}, lucid::float64, /*requires_grad=*/true);
  net(x).sum().backward();
  EXPECT_EQ(x.grad().shape(), x.shape());
}

}  // namespace
