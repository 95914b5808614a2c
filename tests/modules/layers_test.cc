// Layers and losses (modules/linear.h, conv2d.h, pooling.h, flatten.h, dropout.h, activation.h,
// loss.h and their functionals): gradients against central differences in float64, PyTorch's
// default initialisation ranges, printed forms identical to PyTorch 1.13's, dropout in train and
// eval mode, and ValueErrors that name the offending values. Values against PyTorch itself are in
// layers_parity_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/test_util.h"

namespace {

namespace F = lucid::nn::functional;
namespace nn = lucid::nn;
using lucid::Shape;
using lucid::Tensor;
using lucid::ValueError;
using lucid::test::away_from_zero;
using lucid::test::contains;
using lucid::test::error_message;
using Inputs = std::vector<Tensor>;

Tensor randn64(const Shape& shape) { return lucid::randn(shape, lucid::float64, /*requires_grad=*/true); }

// float64 leaf holding a random permutation of 0.1·{0, 1, …, numel − 1} − offset: every max-pool window
// has a unique maximum at least 0.1 above the runner-up, far beyond gradcheck's step of 1e-6.
Tensor distinct_values(const Shape& shape, unsigned seed) {
  std::vector<double> v(static_cast<std::size_t>(shape.numel()));
  std::iota(v.begin(), v.end(), 0.0);
  std::shuffle(v.begin(), v.end(), std::mt19937(seed));
  for (double& e : v) e = 0.1 * e - 0.05 * static_cast<double>(v.size());
  return lucid::tensor(v, shape, /*requires_grad=*/true);
}

// Class ids 0 … classes − 1 cycling over n rows, as a float tensor.
Tensor class_ids(std::int64_t n, std::int64_t classes) {
  std::vector<std::int64_t> ids;
  for (std::int64_t i = 0; i < n; ++i) ids.push_back((3 * i + 1) % classes);
  return lucid::tensor(ids, {n});
}

class LayersTest : public ::testing::Test {
 protected:
  void SetUp() override { lucid::manual_seed(1234); }
};

// ---------------------------------------------------------------- gradients (float64, central differences)

using LayersGradcheck = LayersTest;

TEST_F(LayersGradcheck, Linear) {
  EXPECT_GRADCHECK([](const Inputs& in) { return F::linear(in[0], in[1], in[2]); },
                   {randn64({4, 5}), randn64({3, 5}), randn64({3})});
  EXPECT_GRADCHECK([](const Inputs& in) { return F::linear(in[0], in[1]); }, {randn64({2, 3, 4}), randn64({6, 4})});
  // The module routes the same computation through its parameters.
  auto linear = std::make_shared<nn::Linear>(5, 2, nn::LinearOptions{.dtype = lucid::float64});
  EXPECT_GRADCHECK([linear](const Inputs& in) { return (*linear)(in[0]); }, {randn64({3, 5})});
}

TEST_F(LayersGradcheck, LinearSecondOrder) {
  EXPECT_GRADGRADCHECK([](const Inputs& in) { return F::linear(in[0], in[1], in[2]).tanh(); },
                       {randn64({3, 4}), randn64({2, 4}), randn64({2})});
}

struct ConvConfig {
  std::int64_t n, c, o, h, w, kh, kw;
  F::Conv2dParams params;
  bool bias;
};

TEST_F(LayersGradcheck, Conv2d) {
  const std::vector<ConvConfig> configs = {
      {1, 1, 2, 5, 5, 3, 3, {}, true},
      {2, 3, 2, 5, 6, 3, 3, {.padding = {1, 1}}, true},
      {2, 2, 3, 7, 7, 3, 3, {.stride = {2, 2}, .padding = {2, 2}}, false},
      {1, 2, 2, 7, 6, 3, 2, {.padding = {1, 0}, .dilation = {2, 1}}, true},
      {2, 2, 3, 6, 8, 2, 3, {.stride = {2, 1}, .padding = {0, 1}, .dilation = {1, 2}}, true},
      {2, 3, 2, 4, 4, 1, 1, {}, false},
  };
  for (const ConvConfig& k : configs) {
    SCOPED_TRACE("x (" + std::to_string(k.n) + ", " + std::to_string(k.c) + ", " + std::to_string(k.h) + ", " +
                 std::to_string(k.w) + "), kernel " + std::to_string(k.kh) + "x" + std::to_string(k.kw));
    Inputs inputs{randn64({k.n, k.c, k.h, k.w}), randn64({k.o, k.c, k.kh, k.kw})};
    if (k.bias) inputs.push_back(randn64({k.o}));
    const F::Conv2dParams params = k.params;
    EXPECT_GRADCHECK(
        [params](const Inputs& in) { return F::conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), params); },
        inputs);
  }
}

TEST_F(LayersGradcheck, Conv2dModule) {
  const nn::Conv2dOptions options{.stride = {1, 2}, .padding = {1, 1}, .dtype = lucid::float64};
  auto conv = std::make_shared<nn::Conv2d>(2, 3, nn::Size2(2, 3), options);
  EXPECT_GRADCHECK([conv](const Inputs& in) { return (*conv)(in[0]); }, {randn64({2, 2, 5, 6})});
}

TEST_F(LayersGradcheck, MaxPool2d) {
  struct Config {
    std::int64_t kernel, stride, padding;
  };
  unsigned seed = 0;
  for (const Config& k : {Config{2, 2, 0}, Config{3, 1, 1}, Config{3, 2, 1}, Config{2, 1, 0}, Config{3, 3, 0}}) {
    SCOPED_TRACE("kernel " + std::to_string(k.kernel) + " stride " + std::to_string(k.stride) + " padding " +
                 std::to_string(k.padding));
    auto pool = std::make_shared<nn::MaxPool2d>(k.kernel, nn::MaxPool2dOptions{.stride = k.stride, .padding = k.padding});
    EXPECT_GRADCHECK([pool](const Inputs& in) { return (*pool)(in[0]); }, {distinct_values({2, 2, 7, 6}, ++seed)});
  }
  // Non-square windows through the functional.
  EXPECT_GRADCHECK([](const Inputs& in) { return F::max_pool2d(in[0], {{2, 3}, {1, 2}, {1, 1}}); },
                   {distinct_values({1, 2, 6, 7}, 99)});
}

TEST_F(LayersGradcheck, AvgPool2d) {
  struct Config {
    std::int64_t kernel, stride, padding;
  };
  for (const Config& k : {Config{2, 2, 0}, Config{3, 1, 1}, Config{3, 2, 1}, Config{2, 1, 1}}) {
    SCOPED_TRACE("kernel " + std::to_string(k.kernel) + " stride " + std::to_string(k.stride) + " padding " +
                 std::to_string(k.padding));
    auto pool = std::make_shared<nn::AvgPool2d>(k.kernel, nn::AvgPool2dOptions{.stride = k.stride, .padding = k.padding});
    EXPECT_GRADCHECK([pool](const Inputs& in) { return (*pool)(in[0]); }, {randn64({2, 2, 7, 6})});
  }
  EXPECT_GRADCHECK([](const Inputs& in) { return F::avg_pool2d(in[0], {{2, 3}, {1, 2}, {1, 1}}); },
                   {randn64({1, 2, 6, 7})});
}

TEST_F(LayersGradcheck, AdaptiveAvgPool2d) {
  // Dividing, not dividing (overlapping windows), global, and larger than the input.
  for (const auto& [shape, out] : std::vector<std::pair<Shape, std::array<std::int64_t, 2>>>{
           {{2, 2, 6, 6}, {3, 3}}, {{1, 2, 7, 5}, {3, 2}}, {{2, 1, 5, 7}, {1, 1}}, {{1, 2, 3, 3}, {4, 5}}}) {
    SCOPED_TRACE("input " + shape.str() + " output (" + std::to_string(out[0]) + ", " + std::to_string(out[1]) + ")");
    auto pool = std::make_shared<nn::AdaptiveAvgPool2d>(nn::Size2(out[0], out[1]));
    Tensor x = randn64(shape);
    EXPECT_GRADCHECK([pool](const Inputs& in) { return (*pool)(in[0]); }, {x});
  }
}

TEST_F(LayersGradcheck, Flatten) {
  auto flatten = std::make_shared<nn::Flatten>();
  auto middle = std::make_shared<nn::Flatten>(nn::FlattenOptions{.start_dim = 1, .end_dim = 2});
  EXPECT_GRADCHECK([flatten](const Inputs& in) { return (*flatten)(in[0]) * 2.0; }, {randn64({2, 3, 2, 2})});
  EXPECT_GRADCHECK([middle](const Inputs& in) { return (*middle)(in[0]).tanh(); }, {randn64({2, 3, 2, 2})});
}

TEST_F(LayersGradcheck, DropoutInTrainingWithAFixedMask) {
  auto dropout = std::make_shared<nn::Dropout>(0.4);
  // The same seed before every evaluation, so the central differences see the same mask.
  EXPECT_GRADCHECK(
      [dropout](const Inputs& in) {
        lucid::manual_seed(5);
        return (*dropout)(in[0]);
      },
      {randn64({4, 6})});
  dropout->eval();
  EXPECT_GRADCHECK([dropout](const Inputs& in) { return (*dropout)(in[0]); }, {randn64({4, 6})});
}

TEST_F(LayersGradcheck, Activations) {
  const std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>> activations = {
      {"ReLU", std::make_shared<nn::ReLU>()},       {"SiLU", std::make_shared<nn::SiLU>()},
      {"GELU", std::make_shared<nn::GELU>()},
      {"GELU_tanh", std::make_shared<nn::GELU>(nn::GELUOptions{.approximate = "tanh"})},
      {"Sigmoid", std::make_shared<nn::Sigmoid>()},
      {"Tanh", std::make_shared<nn::Tanh>()},       {"Identity", std::make_shared<nn::Identity>()}};
  for (const auto& [name, module] : activations) {
    SCOPED_TRACE(name);
    auto m = module;
    EXPECT_GRADCHECK([m](const Inputs& in) { return (*m)(in[0]); }, {away_from_zero({3, 7}, 0.2)});
    EXPECT_GRADGRADCHECK([m](const Inputs& in) { return (*m)(in[0]) * in[0]; }, {away_from_zero({3, 7}, 0.2)});
  }
}

TEST_F(LayersGradcheck, CrossEntropy) {
  const Tensor targets = class_ids(5, 4);
  for (const double smoothing : {0.0, 0.1}) {
    for (const F::Reduction reduction : {F::Reduction::kMean, F::Reduction::kSum, F::Reduction::kNone}) {
      SCOPED_TRACE("label_smoothing " + std::to_string(smoothing) + ", reduction " +
                   std::to_string(static_cast<int>(reduction)));
      auto loss = std::make_shared<nn::CrossEntropyLoss>(nn::CrossEntropyLossOptions{.reduction = reduction, .label_smoothing = smoothing});
      EXPECT_GRADCHECK([loss, targets](const Inputs& in) { return (*loss)(in[0], targets); }, {randn64({5, 4})});
      EXPECT_GRADGRADCHECK([loss, targets](const Inputs& in) { return (*loss)(in[0], targets); }, {randn64({5, 4})});
    }
  }
  // Logits in the hundreds: the shifted log-softmax keeps the gradient finite and exact.
  Tensor large = randn64({4, 5});
  {
    lucid::autograd::no_grad guard;
    large.copy_(large * 300.0);
  }
  EXPECT_GRADCHECK([targets = class_ids(4, 5)](const Inputs& in) { return F::cross_entropy(in[0], targets, 0.1); },
                   {large});
}

TEST_F(LayersGradcheck, NLLLoss) {
  const Tensor targets = class_ids(6, 3);
  for (const F::Reduction reduction : {F::Reduction::kMean, F::Reduction::kSum, F::Reduction::kNone}) {
    auto loss = std::make_shared<nn::NLLLoss>(nn::NLLLossOptions{.reduction = reduction});
    EXPECT_GRADCHECK([loss, targets](const Inputs& in) { return (*loss)(F::log_softmax(in[0]), targets); },
                     {randn64({6, 3})});
  }
}

TEST_F(LayersGradcheck, MSELossInInputAndTarget) {
  for (const F::Reduction reduction : {F::Reduction::kMean, F::Reduction::kSum, F::Reduction::kNone}) {
    auto loss = std::make_shared<nn::MSELoss>(nn::MSELossOptions{.reduction = reduction});
    EXPECT_GRADCHECK([loss](const Inputs& in) { return (*loss)(in[0], in[1]); }, {randn64({3, 4}), randn64({3, 4})});
    EXPECT_GRADGRADCHECK([loss](const Inputs& in) { return (*loss)(in[0], in[1]); },
                         {randn64({2, 3, 2}), randn64({2, 3, 2})});
  }
}

TEST_F(LayersGradcheck, ASmallNetworkEndToEnd) {
  auto net = std::make_shared<nn::Sequential>(
      nn::Conv2d(1, 3, 3, {.padding = {1, 1}, .dtype = lucid::float64}), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
      nn::Dropout(0.5), nn::Linear(3 * 4 * 4, 3, {.dtype = lucid::float64}));
  net->eval();
  const Tensor targets = class_ids(2, 3);
  EXPECT_GRADCHECK([net, targets](const Inputs& in) { return F::cross_entropy((*net)(in[0]), targets); },
                   {randn64({2, 1, 8, 8})});
}

// Convolution and pooling record first-order backwards only; create_graph through them is refused.
TEST_F(LayersTest, DoubleBackwardThroughConvAndPoolingRaises) {
  const Tensor x = randn64({1, 1, 4, 4}), w = randn64({1, 1, 2, 2});
  const std::vector<std::pair<std::string, Tensor>> outputs = {
      {"conv2d", F::conv2d(x, w)},
      {"max_pool2d", F::max_pool2d(x, {{2, 2}, {2, 2}})},
      {"avg_pool2d", F::avg_pool2d(x, {{2, 2}, {2, 2}})},
      {"adaptive_avg_pool2d", F::adaptive_avg_pool2d(x, {2, 2})}};
  for (const auto& [name, y] : outputs) {
    const std::string message = error_message<lucid::RuntimeError>(
        [&, &y = y] { lucid::autograd::grad(y.sum(), {x}, lucid::ones({}, lucid::float64), false, true); });
    EXPECT_TRUE(contains(message, "double backward")) << name;
  }
}

// ---------------------------------------------------------------- values with a closed form

// GELU({.approximate = "tanh"}) is ½x(1 + tanh(√(2/π)(x + 0.044715x³))), which differs from the default
// erf form 0.5x(1 + erf(x/√2)) by ~1.5e-4 at x = 1 (tests/modules/gelu_parity_test.cc: both vs PyTorch).
TEST_F(LayersTest, GeluTanhIsTheTanhApproximation) {
  const Tensor x = lucid::tensor(std::vector<double>{-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 4.0}, {8});
  const Tensor y = nn::GELU({.approximate = "tanh"})(x);
  const auto tanh_form = [](double v) {
    return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
  };
  lucid::test::expect_values_near(y, {8}, lucid::test::map_values(x, tanh_form), 1e-14);
  const double erf_form_at_1 = 0.5 * (1.0 + std::erf(1.0 / std::sqrt(2.0)));
  EXPECT_GT(std::abs(y.to_vector<double>()[5] - erf_form_at_1), 1e-4);
}

TEST_F(LayersTest, FlattenShapes) {
  const Tensor x = lucid::zeros({2, 3, 4, 5});
  EXPECT_EQ(nn::Flatten()(x).shape(), Shape({2, 60}));
  EXPECT_EQ(nn::Flatten({.start_dim = 0})(x).shape(), Shape({120}));
  EXPECT_EQ(nn::Flatten({.start_dim = 1, .end_dim = 2})(x).shape(), Shape({2, 12, 5}));
  EXPECT_EQ(nn::Flatten({.start_dim = -2})(x).shape(), Shape({2, 3, 20}));
}

// ---------------------------------------------------------------- default initialisation

// Every element of t lies in [−bound, bound], and the sample looks like U(−bound, bound): extremes near
// ±bound, mean near 0 and variance near bound²/3 (tolerances ≥ 7 standard errors for n ≥ 10⁴).
void expect_uniform(const Tensor& t, double bound, bool large_sample) {
  const std::vector<double> v = t.to_vector<double>();
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  EXPECT_GE(*lo, -bound);
  EXPECT_LE(*hi, bound);
  EXPECT_LT(*lo, -0.9 * bound);
  EXPECT_GT(*hi, 0.9 * bound);
  if (!large_sample) return;
  const double n = static_cast<double>(v.size());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double var = 0;
  for (double e : v) var += (e - mean) * (e - mean) / n;
  EXPECT_NEAR(mean, 0.0, 0.03 * bound);
  EXPECT_NEAR(var, bound * bound / 3.0, 0.05 * bound * bound / 3.0);
}

TEST_F(LayersTest, LinearInitIsUniformWithBoundOneOverSqrtFanIn) {
  nn::Linear linear(64, 300);
  EXPECT_EQ(linear.weight.shape(), Shape({300, 64}));
  EXPECT_EQ(linear.bias.shape(), Shape({300}));
  EXPECT_EQ(linear.weight.dtype(), lucid::float32);
  expect_uniform(linear.weight, 1.0 / 8.0, true);
  expect_uniform(linear.bias, 1.0 / 8.0, false);
  EXPECT_TRUE(linear.weight.requires_grad() && linear.bias.requires_grad());
}

TEST_F(LayersTest, Conv2dInitFanInCountsTheKernel) {
  nn::Conv2d conv(6, 200, {3, 5}, {.dtype = lucid::float64});  // fan_in = 6·3·5 = 90
  EXPECT_EQ(conv.weight.shape(), Shape({200, 6, 3, 5}));
  EXPECT_EQ(conv.weight.dtype(), lucid::float64);
  expect_uniform(conv.weight, 1.0 / std::sqrt(90.0), true);
  expect_uniform(conv.bias, 1.0 / std::sqrt(90.0), false);
}

TEST_F(LayersTest, InitFollowsTheSeed) {
  lucid::manual_seed(7);
  nn::Linear a(4, 3);
  lucid::manual_seed(7);
  nn::Linear b(4, 3);
  nn::Linear c(4, 3);
  EXPECT_EQ(a.weight.to_vector<float>(), b.weight.to_vector<float>());
  EXPECT_EQ(a.bias.to_vector<float>(), b.bias.to_vector<float>());
  EXPECT_NE(b.weight.to_vector<float>(), c.weight.to_vector<float>());
}

TEST_F(LayersTest, NoBiasLeavesAnUnregisteredSlot) {
  nn::Linear linear(3, 2, {.bias = false});
  nn::Conv2d conv(3, 2, 3, {.bias = false});
  EXPECT_FALSE(linear.bias.defined());
  EXPECT_FALSE(conv.bias.defined());
  EXPECT_EQ(linear.parameters().size(), 1u);
  EXPECT_EQ(conv.parameters().size(), 1u);
}

// ---------------------------------------------------------------- printed forms (PyTorch 1.13's strings)

std::string printed(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

TEST_F(LayersTest, PrintedFormsMatchPyTorch) {
  EXPECT_EQ(printed(nn::Conv2d(1, 32, 3, {.padding = {1, 1}})),
            "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
  const nn::Conv2dOptions all{.stride = {2, 2}, .padding = {1, 0}, .dilation = {2, 2}, .bias = false};
  EXPECT_EQ(printed(nn::Conv2d(3, 8, {2, 3}, all)),
            "Conv2d(3, 8, kernel_size=(2, 3), stride=(2, 2), padding=(1, 0), dilation=(2, 2), bias=False)");
  EXPECT_EQ(printed(nn::Conv2d(3, 8, 3, {.stride = {2, 1}})), "Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 1))");
  EXPECT_EQ(printed(nn::Linear(3136, 10)), "Linear(in_features=3136, out_features=10, bias=True)");
  EXPECT_EQ(printed(nn::Linear(3, 4, {.bias = false})), "Linear(in_features=3, out_features=4, bias=False)");
  EXPECT_EQ(printed(nn::MaxPool2d(2)), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(printed(nn::MaxPool2d(3, {.stride = 1, .padding = 1})),
            "MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=False)");
  EXPECT_EQ(printed(nn::AvgPool2d(2)), "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  EXPECT_EQ(printed(nn::AvgPool2d(3, {.stride = 2, .padding = 1})), "AvgPool2d(kernel_size=3, stride=2, padding=1)");
  EXPECT_EQ(printed(nn::AdaptiveAvgPool2d({1, 1})), "AdaptiveAvgPool2d(output_size=(1, 1))");
  EXPECT_EQ(printed(nn::AdaptiveAvgPool2d({2, 3})), "AdaptiveAvgPool2d(output_size=(2, 3))");
  EXPECT_EQ(printed(nn::AdaptiveAvgPool2d(1)), "AdaptiveAvgPool2d(output_size=1)");  // as PyTorch's AdaptiveAvgPool2d(1)
  EXPECT_EQ(printed(nn::Flatten()), "Flatten(start_dim=1, end_dim=-1)");
  EXPECT_EQ(printed(nn::Dropout()), "Dropout(p=0.5, inplace=False)");
  EXPECT_EQ(printed(nn::Dropout(0.25)), "Dropout(p=0.25, inplace=False)");
  EXPECT_EQ(printed(nn::Dropout(0.1)), "Dropout(p=0.1, inplace=False)");
  EXPECT_EQ(printed(nn::Dropout(1.0 / 3.0)), "Dropout(p=0.3333333333333333, inplace=False)");
  EXPECT_EQ(printed(nn::ReLU()), "ReLU()");
  EXPECT_EQ(printed(nn::SiLU()), "SiLU()");
  EXPECT_EQ(printed(nn::GELU()), "GELU(approximate='none')");
  EXPECT_EQ(printed(nn::GELU({.approximate = "tanh"})), "GELU(approximate='tanh')");
  EXPECT_EQ(printed(nn::Sigmoid()), "Sigmoid()");
  EXPECT_EQ(printed(nn::Tanh()), "Tanh()");
  EXPECT_EQ(printed(nn::Identity()), "Identity()");
  EXPECT_EQ(printed(nn::CrossEntropyLoss()), "CrossEntropyLoss()");
  EXPECT_EQ(printed(nn::CrossEntropyLoss({.reduction = F::Reduction::kSum, .label_smoothing = 0.1})), "CrossEntropyLoss()");
  EXPECT_EQ(printed(nn::NLLLoss()), "NLLLoss()");
  EXPECT_EQ(printed(nn::MSELoss({.reduction = F::Reduction::kSum})), "MSELoss()");
}

TEST_F(LayersTest, SequentialPrintsAsAPyTorchTree) {
  const nn::Sequential net(nn::Conv2d(1, 32, 3, {.padding = {1, 1}}), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                           nn::Dropout(0.5), nn::Linear(3136, 10));
  EXPECT_EQ(printed(net),
            "Sequential(\n"
            "  (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "  (1): ReLU()\n"
            "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
            "  (3): Flatten(start_dim=1, end_dim=-1)\n"
            "  (4): Dropout(p=0.5, inplace=False)\n"
            "  (5): Linear(in_features=3136, out_features=10, bias=True)\n"
            ")");
  // Parameters as PyTorch names and counts them: 1·32·9 + 32 + 3136·10 + 10.
  std::vector<std::string> names;
  std::int64_t count = 0;
  for (const auto& [name, p] : net.named_parameters()) {
    names.push_back(name);
    count += p.numel();
  }
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "5.weight", "5.bias"}));
  EXPECT_EQ(count, 31690);

  const nn::Sequential nested(nn::Sequential(nn::Linear(4, 8), nn::GELU()), nn::Dropout(0.1), nn::Linear(8, 3));
  EXPECT_EQ(printed(nested),
            "Sequential(\n"
            "  (0): Sequential(\n"
            "    (0): Linear(in_features=4, out_features=8, bias=True)\n"
            "    (1): GELU(approximate='none')\n"
            "  )\n"
            "  (1): Dropout(p=0.1, inplace=False)\n"
            "  (2): Linear(in_features=8, out_features=3, bias=True)\n"
            ")");
}

// ---------------------------------------------------------------- dropout

TEST_F(LayersTest, DropoutInEvalIsTheIdentity) {
  nn::Dropout dropout(0.5);
  dropout.eval();
  const Tensor x = lucid::randn({50, 40});
  EXPECT_EQ(dropout(x).to_vector<float>(), x.to_vector<float>());
}

TEST_F(LayersTest, DropoutInTrainingZeroesAboutPAndScalesTheRest) {
  for (const lucid::DType dtype : {lucid::float32, lucid::float64}) {
    for (const double p : {0.1, 0.3, 0.75}) {
      SCOPED_TRACE("p " + std::to_string(p));
      nn::Dropout dropout(p);
      ASSERT_TRUE(dropout.is_training());
      const Tensor x = lucid::ones({200, 500}, dtype);
      const std::vector<double> y = dropout(x).to_vector<double>();
      const double exact = 1.0 / (1.0 - p);
      const double scale = dtype == lucid::float32 ? static_cast<double>(static_cast<float>(exact)) : exact;
      std::size_t zeros = 0;
      for (double v : y) {
        if (v == 0.0) {
          ++zeros;
        } else {
          ASSERT_DOUBLE_EQ(v, scale);
        }
      }
      // Binomial(1e5, p): the standard deviation of the fraction is ≤ 0.0016.
      EXPECT_NEAR(static_cast<double>(zeros) / static_cast<double>(y.size()), p, 0.01);
    }
  }
}

TEST_F(LayersTest, DropoutMaskFollowsTheSeedAndTheGradientUsesIt) {
  nn::Dropout dropout(0.5);
  const Tensor x = lucid::randn({8, 16}, lucid::float64) + 3.0;  // no element is 0
  lucid::manual_seed(11);
  const std::vector<double> first = dropout(x).to_vector<double>();
  lucid::manual_seed(11);
  Tensor leaf = x.detach().requires_grad_(true);
  const Tensor second = dropout(leaf);
  EXPECT_EQ(second.to_vector<double>(), first);
  EXPECT_NE(dropout(x).to_vector<double>(), first);  // the generator moved on: another mask

  second.sum().backward();
  const std::vector<double> grad = leaf.grad().to_vector<double>();
  for (std::size_t i = 0; i < grad.size(); ++i) EXPECT_EQ(grad[i], first[i] == 0.0 ? 0.0 : 2.0) << i;
}

// In place, Dropout writes the masked values into its input (one version bump) and gives the gradient
// of the out-of-place form for the same seed.
TEST_F(LayersTest, DropoutInPlaceWritesItsInputWithTheSameGradient) {
  nn::Dropout out_of_place(0.5), in_place(0.5, {.inplace = true});
  const Tensor x = lucid::randn({8, 16}, lucid::float64) + 3.0;  // no element is 0
  Tensor a = x.detach().requires_grad_(true), b = x.detach().requires_grad_(true);
  lucid::manual_seed(11);
  const Tensor expected = out_of_place(a * 1.0);
  lucid::manual_seed(11);
  const Tensor h = b * 1.0;
  const std::uint64_t version = h._version();
  const Tensor y = in_place(h);
  EXPECT_EQ(y.to_vector<double>(), expected.to_vector<double>());
  EXPECT_EQ(h.to_vector<double>(), expected.to_vector<double>());  // h itself was written
  EXPECT_EQ(h._version(), version + 1);
  expected.sum().backward();
  y.sum().backward();
  EXPECT_EQ(b.grad().to_vector<double>(), a.grad().to_vector<double>());
  EXPECT_EQ(printed(in_place), "Dropout(p=0.5, inplace=True)");
}

// Each configurable module keeps the options it was built with in a public `options` member.
TEST_F(LayersTest, EveryConfigurableModuleKeepsItsOptions) {
  EXPECT_FALSE(nn::Linear(3, 4, {.bias = false}).options.bias);
  EXPECT_EQ(nn::Linear(3, 4, {.dtype = lucid::float64}).options.dtype, lucid::float64);
  EXPECT_EQ(nn::Conv2d(4, 8, 3, {.stride = 2, .groups = 2}).options.groups, 2);
  EXPECT_EQ(nn::Conv2d(4, 8, 3, {.stride = 2}).options.stride, (nn::Size2{2, 2}));
  EXPECT_EQ(nn::GroupNorm(2, 4, {.eps = 1e-3, .affine = false}).options.eps, 1e-3);
  EXPECT_EQ(nn::GroupNorm(2, 4, 1e-4).options.eps, 1e-4);  // the positional form fills the same options
  EXPECT_EQ(nn::MaxPool2d(2, {.stride = 1}).options.stride.value(), (nn::Size2{1, 1}));
  EXPECT_EQ(nn::AvgPool2d(3, {.padding = 1}).options.padding, (nn::Size2{1, 1}));
  EXPECT_EQ(nn::AdaptiveAvgPool2d(4).output_size, (nn::Size2{4, 4}));
  EXPECT_TRUE(nn::Dropout(0.2, {.inplace = true}).options.inplace);
  EXPECT_EQ(nn::Dropout(0.2).p(), 0.2);
  EXPECT_EQ(nn::Flatten({.start_dim = 0}).options.start_dim, 0);
  EXPECT_TRUE(nn::ReLU({.inplace = true}).options.inplace);
  EXPECT_TRUE(nn::SiLU({.inplace = true}).options.inplace);
  EXPECT_EQ(nn::GELU({.approximate = "tanh"}).options.approximate, "tanh");
  EXPECT_EQ(nn::CrossEntropyLoss({.label_smoothing = 0.1}).options.label_smoothing, 0.1);
  EXPECT_EQ(nn::NLLLoss({.reduction = F::Reduction::kSum}).options.reduction, F::Reduction::kSum);
  EXPECT_EQ(nn::MSELoss({.reduction = F::Reduction::kNone}).options.reduction, F::Reduction::kNone);
}

TEST_F(LayersTest, DropoutExtremes) {
  const Tensor x = lucid::randn({4, 5});
  nn::Dropout none(0.0), all(1.0);
  EXPECT_EQ(none(x).to_vector<float>(), x.to_vector<float>());
  for (float v : all(x).to_vector<float>()) EXPECT_EQ(v, 0.0f);
}

TEST_F(LayersTest, EvalReachesDropoutInsideSequential) {
  nn::Sequential net(nn::Linear(4, 4), nn::Dropout(0.9));
  net.eval();
  EXPECT_FALSE(net[1]->is_training());
  const Tensor x = lucid::randn({3, 4});
  EXPECT_EQ(net(x).to_vector<float>(), (*net[0])(x).to_vector<float>());
  net.train();
  EXPECT_TRUE(net[1]->is_training());
}

// ---------------------------------------------------------------- errors

TEST_F(LayersTest, Conv2dErrorsNameTheValues) {
  nn::Conv2d conv(3, 4, 3);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { conv(lucid::zeros({3, 5, 5})); }), "(3, 5, 5)"));
  const std::string channels = error_message<ValueError>([&] { conv(lucid::zeros({1, 2, 5, 5})); });
  EXPECT_TRUE(contains(channels, "2 channels"));
  EXPECT_TRUE(contains(channels, "(4, 3, 3, 3)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { conv(lucid::zeros({1, 3, 2, 2})); }), "(1, 3, 2, 2)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { conv(lucid::zeros({1, 3, 5, 5}, lucid::float64)); }), "dtype"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { nn::Conv2d(3, 4, {0, 3}); }),
                       "kernel_size (0, 3)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { nn::Conv2d(0, 4, 3); }), "in_channels (0)"));
  // Stride and padding are checked when the convolution runs (PyTorch checks them there too).
  const Tensor x = lucid::zeros({1, 3, 5, 5});
  nn::Conv2d zero_stride(3, 4, 3, {.stride = {0, 1}}), negative_padding(3, 4, 3, {.padding = {-1, 0}});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { zero_stride(x); }), "stride (0, 1)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { negative_padding(x); }), "padding (-1, 0)"));
}

TEST_F(LayersTest, LinearErrorsNameTheValues) {
  nn::Linear linear(3, 5);
  const std::string message = error_message<ValueError>([&] { linear(lucid::zeros({2, 4})); });
  EXPECT_TRUE(contains(message, "(2, 4)"));
  EXPECT_TRUE(contains(message, "in_features (3)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { nn::Linear(-1, 2); }), "in_features (-1)"));
  const std::string bias = error_message<ValueError>([] {
    F::linear(lucid::zeros({2, 3}), lucid::zeros({5, 3}), lucid::zeros({4}));
  });
  EXPECT_TRUE(contains(bias, "(4,)"));
  EXPECT_TRUE(contains(bias, "out_features (5)"));
}

// MaxPool2d(2) on float32 planes at least 4 outputs wide runs in SIMD (max_pool_2x2_kernels.cc);
// float64 runs the scalar kernel. Values from a small set (many ties) with NaNs: both must pick the
// same winner in every window (greater or NaN wins, row-major), seen in y and, through distinct
// upstream gradients, in dx. Widths cover full vectors, overlapping row ends and odd leftovers.
TEST(MaxPool2dSimd, MatchesTheScalarKernelOnTiesAndNaN) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> level(0, 5);
  for (const Shape& shape : {Shape{2, 3, 28, 28}, Shape{1, 2, 14, 14}, Shape{1, 1, 9, 33}, Shape{1, 1, 4, 8},
                            Shape{1, 2, 6, 70}}) {
    std::vector<double> values(static_cast<std::size_t>(shape.numel()));
    for (double& v : values) v = level(rng) == 0 ? NAN : 0.5 * level(rng);
    const Tensor x32 = lucid::tensor(values, shape).to(lucid::float32).detach().requires_grad_(true);
    const Tensor x64 = lucid::tensor(values, shape).detach().requires_grad_(true);
    const Tensor y32 = F::max_pool2d(x32, {{2, 2}, {2, 2}}), y64 = F::max_pool2d(x64, {{2, 2}, {2, 2}});
    std::vector<double> upstream(static_cast<std::size_t>(y64.numel()));
    std::iota(upstream.begin(), upstream.end(), 1.0);
    (y32 * lucid::tensor(upstream, y32.shape()).to(lucid::float32)).sum().backward();
    (y64 * lucid::tensor(upstream, y64.shape())).sum().backward();
    const std::vector<double> a = y32.to_vector<double>(), b = y64.to_vector<double>();
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_TRUE(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) << shape << " output " << i;
    }
    EXPECT_EQ(x32.grad().to_vector<double>(), x64.grad().to_vector<double>()) << shape;
  }
}

TEST_F(LayersTest, PoolingErrorsNameTheValues) {
  const Tensor x = lucid::zeros({1, 1, 4, 4});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { nn::MaxPool2d(0)(x); }), "kernel_size (0, 0)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { nn::AvgPool2d(3, {.stride = 1, .padding = 2})(x); }), "padding (2, 2)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { nn::MaxPool2d(2, {.stride = 0})(x); }), "stride (0, 0)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { nn::MaxPool2d(2)(lucid::zeros({4, 4})); }), "(4, 4)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { nn::AvgPool2d(5)(x); }), "(1, 1, 4, 4)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { nn::AdaptiveAvgPool2d({0, 2})(x); }),
                       "(0, 2)"));
}

TEST_F(LayersTest, LossErrorsNameTheValues) {
  const Tensor logits = lucid::zeros({3, 4});
  nn::CrossEntropyLoss ce;
  const auto ids = [](std::vector<std::int64_t> v) {
    const auto n = static_cast<std::int64_t>(v.size());
    return lucid::tensor(v, {n});
  };
  const std::string range = error_message<ValueError>([&] { ce(logits, ids({0, 4, 1})); });
  EXPECT_TRUE(contains(range, "target 4 at index 1"));
  EXPECT_TRUE(contains(range, "[0, 4)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { ce(logits, ids({0, -1, 1})); }), "target -1"));
  const std::string fractional = error_message<ValueError>([&] { ce(logits, lucid::tensor({0.0, 1.5, 1.0}, {3})); });
  EXPECT_TRUE(contains(fractional, "must be int64, got float32 targets of shape (3,)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { ce(logits, ids({0, 1})); }), "(2,)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { ce(lucid::zeros({3}), ids({0})); }), "(3,)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { nn::CrossEntropyLoss({.label_smoothing = 1.5})(logits, ids({0, 0, 0})); }),
                       "label_smoothing (1.5)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { nn::NLLLoss()(logits, ids({7, 0, 0})); }),
                       "target 7 at index 0"));
  const std::string mse = error_message<ValueError>([] { nn::MSELoss()(lucid::zeros({2, 3}), lucid::zeros({3, 2})); });
  EXPECT_TRUE(contains(mse, "(2, 3)"));
  EXPECT_TRUE(contains(mse, "(3, 2)"));
}

TEST_F(LayersTest, DropoutAndFlattenErrorsNameTheValues) {
  EXPECT_TRUE(contains(error_message<ValueError>([] { nn::Dropout(1.5); }), "p (1.5)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { nn::Dropout(-0.1); }), "p (-0.1)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { nn::Dropout(std::nan("")); }), "p (nan)"));
  const std::string flatten = error_message<ValueError>([] { nn::Flatten({.start_dim = 2, .end_dim = 1})(lucid::zeros({2, 3, 4})); });
  EXPECT_TRUE(contains(flatten, "start_dim (2)"));
  EXPECT_TRUE(contains(flatten, "end_dim (1)"));
}

// A failed call leaves the module as it was and records nothing.
TEST_F(LayersTest, FailedCallsChangeNothing) {
  nn::Linear linear(3, 2);
  const std::vector<float> before = linear.weight.to_vector<float>();
  const Tensor x = lucid::zeros({2, 4}).requires_grad_(true);
  EXPECT_THROW(linear(x), ValueError);
  EXPECT_EQ(linear.weight.to_vector<float>(), before);
  EXPECT_FALSE(linear.weight.grad().defined());
  const Tensor y = linear(lucid::ones({2, 3}));
  EXPECT_EQ(y.shape(), Shape({2, 2}));
}

}  // namespace
