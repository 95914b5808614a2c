// LayerNorm against exact values and PyTorch: every case of tests/golden/layer_norm.json (written by
// make_layer_norm_golden.py from the closed form in extended precision, checked against
// torch.nn.functional.layer_norm followed by the case's activation in float64) runs through
// lucid::nn::LayerNorm, with the activation fused in, in float64 and in float32, forward and backward
// of ⟨dy, y⟩. Tolerances as GroupNorm's (group_norm_parity_test.cc explains them): float64 1e-10,
// float32 outputs 1e-5 and gradients 1e-4, relative to each tensor's largest magnitude (for dx, at least
// the case's dx_term_scale).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "framework/kernels/layer_norm.h"
#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/modules/activation_util.h"

namespace layer_norm_parity {

namespace golden = lucid::test::golden;
using lucid::Tensor;
using lucid::nn::Activation;

const std::vector<golden::Case>& cases() {
  static const std::vector<golden::Case> all = golden::load("layer_norm.json");
  return all;
}

class LayerNormParity : public ::testing::TestWithParam<golden::ParityParam> {};

TEST_P(LayerNormParity, ForwardAndBackwardMatchPyTorch) {
  const golden::Case& c = cases()[std::get<0>(GetParam())];
  const golden::Precision& p = std::get<1>(GetParam());
  const auto normalized_shape = c.attrs.at("normalized_shape").get<std::vector<std::int64_t>>();
  const bool affine = c.attrs.at("affine").get<bool>();
  ASSERT_EQ(affine, c.has("weight"));
  const Tensor x = c.tensor("x", p.dtype).detach().requires_grad_(true);

  lucid::nn::LayerNorm ln(normalized_shape, {.eps = c.attrs.at("eps").get<double>(),
                                             .elementwise_affine = affine,
                                             .activation = lucid::test::activation_named(
                                                 c.attrs.at("activation").get<std::string>()),
                                             .dtype = p.dtype});
  if (affine) {
    lucid::autograd::no_grad guard;
    ln.weight.copy_(c.tensor("weight", p.dtype));
    ln.bias.copy_(c.tensor("bias", p.dtype));
  }
  const Tensor y = ln(x);
  ASSERT_EQ(y.dtype(), p.dtype);
  EXPECT_TRUE(golden::close_scaled(y, c.tensor("y"), p.output_rtol)) << "y";

  y.backward(c.tensor("dy", p.dtype));
  ASSERT_TRUE(x.grad().defined());
  EXPECT_TRUE(golden::close_scaled(x.grad(), c.tensor("dx"), p.grad_rtol,
                                   p.grad_rtol * c.attrs.at("dx_term_scale").get<double>()))
      << "dx";
  if (affine) {
    ASSERT_TRUE(ln.weight.grad().defined() && ln.bias.grad().defined());
    EXPECT_TRUE(golden::close_scaled(ln.weight.grad(), c.tensor("dweight"), p.grad_rtol)) << "dweight";
    EXPECT_TRUE(golden::close_scaled(ln.bias.grad(), c.tensor("dbias"), p.grad_rtol)) << "dbias";
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, LayerNormParity, golden::parity_params(cases()), golden::ParityName{cases()});

// The golden file holds the spread of cases it promises (a regenerated file that lost some would
// otherwise pass silently): several trailing dims, affine on and off, a large offset, more than two
// backward row blocks, and every activation.
TEST(LayerNormParityFile, CoversTheCaseSpread) {
  bool multi_dim = false, affine = false, plain = false, offset = false, blocks = false;
  std::set<std::string> activations;
  for (const golden::Case& c : cases()) {
    const Tensor x = c.tensor("x");
    multi_dim |= c.attrs.at("normalized_shape").size() > 1;
    (c.attrs.at("affine").get<bool>() ? affine : plain) = true;
    offset |= x.to_vector<double>()[0] > 5e3;
    blocks |= x.numel() / x.size(-1) > 2 * static_cast<std::int64_t>(lucid::kernels::kLayerNormRowBlock);
    activations.insert(c.attrs.at("activation").get<std::string>());
  }
  EXPECT_TRUE(multi_dim && affine && plain && offset && blocks);
  EXPECT_EQ(activations, (std::set<std::string>{"none", "relu", "silu", "gelu", "sigmoid", "tanh"}));
}

}  // namespace layer_norm_parity
