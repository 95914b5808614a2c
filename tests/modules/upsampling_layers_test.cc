// The diffusion example's building blocks (modules/conv_transpose2d.h, upsample.h, embedding.h and
// their functionals): gradients against float64 central differences (second order where the op is
// built on twice-differentiable ops), PyTorch's printed forms and initialisation ranges. Values
// against PyTorch are in layers_parity_test.cc (golden/make_layers_golden.py), sin and cos in the
// differential suite.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"

namespace lucid::test {
namespace {

namespace F = nn::functional;
using Leaves = std::vector<Tensor>;

Tensor leaf64(const Shape& shape) { return randn(shape, float64, /*requires_grad=*/true); }

class UpsamplingLayers : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(77); }
};

TEST_F(UpsamplingLayers, ConvTranspose2dGradcheck) {
  struct Config {
    Shape x, w;
    F::ConvTranspose2dParams params;
    bool bias;
  };
  const std::vector<Config> configs = {
      {{1, 2, 3, 3}, {2, 2, 4, 4}, {.stride = 2, .padding = 1}, true},
      {{1, 2, 2, 3}, {2, 2, 3, 3}, {}, false},
      {{1, 2, 3, 3}, {2, 2, 3, 2}, {.stride = {2, 3}, .padding = {1, 0}, .output_padding = {1, 2}}, true},
      {{1, 2, 4, 3}, {2, 2, 3, 3}, {.padding = 1, .output_padding = 1, .dilation = 2}, true},
      {{2, 4, 2, 2}, {4, 1, 2, 2}, {.stride = 2, .groups = 2}, false},
  };
  for (const Config& k : configs) {
    SCOPED_TRACE("x " + k.x.str() + ", weight " + k.w.str());
    Leaves inputs{leaf64(k.x), leaf64(k.w)};
    if (k.bias) inputs.push_back(leaf64({k.w[1] * k.params.groups}));
    const F::ConvTranspose2dParams params = k.params;
    EXPECT_GRADCHECK(
        [params](const Leaves& in) { return F::conv_transpose2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), params); },
        inputs);
  }
}

// A UNet decoder's step: doubles H and W, as PyTorch's output size formula gives.
TEST_F(UpsamplingLayers, ConvTranspose2dModuleShapeInitAndRepr) {
  nn::ConvTranspose2d up(8, 4, 4, {.stride = 2, .padding = 1});
  EXPECT_EQ(up.weight.shape(), Shape({8, 4, 4, 4}));
  EXPECT_EQ(up(randn({2, 8, 7, 7})).shape(), Shape({2, 4, 14, 14}));
  const double bound = 1.0 / std::sqrt(4.0 * 16.0);  // fan_in = out / groups · kh · kw
  EXPECT_LE(up.weight.abs().max().item<double>(), bound);
  EXPECT_GT(up.weight.abs().max().item<double>(), 0.9 * bound);
  EXPECT_LE(up.bias.abs().max().item<double>(), bound);
  EXPECT_EQ(up.extra_repr(), "8, 4, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1)");
  nn::ConvTranspose2d odd(4, 6, {3, 2}, {.output_padding = {0, 1}, .groups = 2, .bias = false, .dilation = 2});
  EXPECT_EQ(odd.extra_repr(),
            "4, 6, kernel_size=(3, 2), stride=(1, 1), output_padding=(0, 1), dilation=(2, 2), groups=2, bias=False");
}

TEST_F(UpsamplingLayers, InterpolateGradcheckAndGradgradcheck) {
  const std::vector<std::pair<Shape, nn::UpsampleOptions>> configs = {
      {{1, 2, 3, 4}, {.scale_factor = 2.0}},
      {{2, 1, 5, 3}, {.scale_factor = 1.5}},
      {{1, 2, 7, 6}, {.size = {3, 4}}},
      {{2, 2, 4}, {.size = {9}}},
      {{1, 1, 2, 3, 2}, {.scale_factor = 2.0}},
  };
  for (const auto& [shape, options] : configs) {
    SCOPED_TRACE("x " + shape.str());
    const nn::UpsampleOptions o = options;
    // Multiplied by a function of x so that the second derivative is not zero.
    EXPECT_GRADCHECK([o](const Leaves& in) { return F::interpolate(in[0], o); }, {leaf64(shape)});
    EXPECT_GRADGRADCHECK([o](const Leaves& in) { return F::interpolate(in[0] * in[0], o); }, {leaf64(shape)});
  }
}

TEST_F(UpsamplingLayers, UpsampleModuleReprAndShapes) {
  EXPECT_EQ(nn::Upsample({.scale_factor = 2}).extra_repr(), "scale_factor=2.0, mode='nearest'");
  EXPECT_EQ(nn::Upsample({.size = {28, 28}}).extra_repr(), "size=(28, 28), mode='nearest'");
  EXPECT_EQ(nn::Upsample({.size = {5}}).extra_repr(), "size=5, mode='nearest'");
  EXPECT_EQ(nn::Upsample({.scale_factor = 2})(randn({2, 3, 7, 7})).shape(), Shape({2, 3, 14, 14}));
  // Same size: a new tensor with x's values (PyTorch's interpolate never returns its input).
  const Tensor x = randn({1, 1, 3, 3});
  const Tensor y = F::interpolate(x, {.size = {3}});
  EXPECT_EQ(y.to_vector<float>(), x.to_vector<float>());
  EXPECT_NE(y.data<float>(), x.data<float>());
}

TEST_F(UpsamplingLayers, EmbeddingGradcheckAndGradgradcheck) {
  const Tensor indices = tensor(std::vector<std::int64_t>{4, 0, 4, 2, 2, 2}, {2, 3});
  EXPECT_GRADCHECK([indices](const Leaves& in) { return F::embedding(indices, in[0]); }, {leaf64({5, 3})});
  EXPECT_GRADGRADCHECK([indices](const Leaves& in) { return F::embedding(indices, in[0]).tanh(); }, {leaf64({5, 3})});
}

TEST_F(UpsamplingLayers, EmbeddingModuleShapeInitAndRepr) {
  nn::Embedding classes(10, 64);
  EXPECT_EQ(classes.extra_repr(), "10, 64");
  EXPECT_EQ(classes(tensor(std::vector<std::int64_t>{1, 9, 1})).shape(), Shape({3, 64}));
  // N(0, 1): 640 draws have a mean within 0.2 and a standard deviation within 0.15 of 1.
  EXPECT_NEAR(classes.weight.mean().item<double>(), 0.0, 0.2);
  EXPECT_NEAR(classes.weight.std().item<double>(), 1.0, 0.15);
  const auto names = classes.state_dict();
  EXPECT_EQ(names.size(), 1u);
  EXPECT_TRUE(names.contains("weight"));
}

TEST_F(UpsamplingLayers, SinCosGradcheckAndGradgradcheck) {
  EXPECT_GRADCHECK([](const Leaves& in) { return sin(in[0]) * cos(in[0] * 3.0); }, {leaf64({3, 4})});
  EXPECT_GRADGRADCHECK([](const Leaves& in) { return in[0].sin() + in[0].cos() * in[0]; }, {leaf64({3, 4})});
}

}  // namespace
}  // namespace lucid::test
