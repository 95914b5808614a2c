// Layers and losses against PyTorch: every case of tests/golden/layers.json (written by
// make_layers_golden.py with torch.nn.functional in float64) runs through lucid's modules — or the
// functional when the case has no module form (non-square pooling windows) — in float64 and in
// float32, forward and backward of ⟨gy, y⟩, and every output and gradient is compared.
//
// Tolerances (golden::kFloat64 / kFloat32 through golden::close_scaled), per tensor
// |got − want| ≤ rtol·|want| + rtol·max|want|:
// - The stored inputs are exact float32 numbers, so the float64 golden values are the exact answer
//   (to ~1e-15) for the very inputs the float32 run sees: the comparison measures lucid's arithmetic
//   error only.
// - The absolute part is scaled to the tensor's largest magnitude because elements near zero (a
//   convolution output whose products cancel, a softmax gradient of a confident row) carry the
//   rounding error of the larger terms they were computed from, not an error relative to themselves.
// - float64: 1e-10. float32: outputs 1e-5, gradients 1e-4 (sums of up to ~100 float32 products).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"

namespace {

namespace golden = lucid::test::golden;
namespace F = lucid::nn::functional;
using lucid::DType;
using lucid::Tensor;

const std::vector<golden::Case>& layer_cases() {
  static const std::vector<golden::Case> all = golden::load("layers.json");
  return all;
}

using golden::pair_attr;
using golden::reduction_attr;

// Copies a golden tensor into a module's parameter (shapes must agree).
void load_parameter(lucid::nn::Parameter& parameter, const golden::Case& c, const char* key, DType dtype) {
  lucid::autograd::no_grad guard;
  ASSERT_EQ(parameter.shape(), c.tensor(key).shape()) << key;
  parameter.copy_(c.tensor(key, dtype));
}

// The leaves of one run: the case's inputs as dtype tensors requiring grad, under their golden names.
using Leaves = std::map<std::string, Tensor>;

// A fresh leaf holding the golden tensor `key` in dtype. Case::tensor returns the stored tensor itself
// when dtype is float64, so marking that one as requiring grad would leak into the other runs.
Tensor leaf(const golden::Case& c, const std::string& key, DType dtype, bool requires_grad) {
  return c.tensor(key, dtype).detach().requires_grad_(requires_grad);
}

// The activation module named by attrs["kind"].
std::shared_ptr<lucid::nn::Module> activation(const std::string& kind) {
  if (kind == "relu") return std::make_shared<lucid::nn::ReLU>();
  if (kind == "silu") return std::make_shared<lucid::nn::SiLU>();
  if (kind == "gelu_tanh") return std::make_shared<lucid::nn::GELU>(lucid::nn::GELUOptions{.approximate = "tanh"});
  if (kind == "sigmoid") return std::make_shared<lucid::nn::Sigmoid>();
  if (kind == "tanh") return std::make_shared<lucid::nn::Tanh>();
  throw std::invalid_argument("unknown activation " + kind);
}

// Pooling through the module when the window is square and PyTorch's module could express it,
// otherwise through the functional.
Tensor pool(const golden::Case& c, const std::string& op, const Tensor& x) {
  const auto k = pair_attr(c, "kernel_size"), s = pair_attr(c, "stride"), p = pair_attr(c, "padding");
  const bool square = k[0] == k[1] && s[0] == s[1] && p[0] == p[1];
  if (op == "max_pool2d") {
    return square ? lucid::nn::MaxPool2d(k[0], {.stride = s[0], .padding = p[0]})(x) : F::max_pool2d(x, {k, s, p});
  }
  return square ? lucid::nn::AvgPool2d(k[0], {.stride = s[0], .padding = p[0]})(x) : F::avg_pool2d(x, {k, s, p});
}

// Runs the case's op in dtype: returns y, and fills `parameters` with the module parameters whose
// gradients the golden file holds (dweight, dbias).
Tensor forward(const golden::Case& c, const Leaves& in, DType dtype, Leaves& parameters) {
  const std::string op = c.attrs.at("op").get<std::string>();
  if (op == "embedding") {  // the weight is the only differentiable input
    const Tensor w = c.tensor("weight");
    lucid::nn::Embedding embedding(w.size(0), w.size(1), {.dtype = dtype});
    load_parameter(embedding.weight, c, "weight", dtype);
    parameters = {{"weight", embedding.weight}};
    return embedding(c.tensor("indices", lucid::int64));
  }
  const Tensor& x = in.at("x");
  if (op == "conv_transpose2d") {
    const Tensor w = c.tensor("weight");
    const auto groups = c.attrs.at("groups").get<std::int64_t>();
    lucid::nn::ConvTranspose2d conv(w.size(0), w.size(1) * groups, {w.size(2), w.size(3)},
                                    {.stride = pair_attr(c, "stride"),
                                     .padding = pair_attr(c, "padding"),
                                     .output_padding = pair_attr(c, "output_padding"),
                                     .groups = groups,
                                     .bias = c.has("bias"),
                                     .dilation = pair_attr(c, "dilation"),
                                     .dtype = dtype});
    load_parameter(conv.weight, c, "weight", dtype);
    if (c.has("bias")) load_parameter(conv.bias, c, "bias", dtype);
    parameters = {{"weight", conv.weight}, {"bias", conv.bias}};
    return conv(x);
  }
  if (op == "interpolate") {  // 4-D inputs through the module, the others through the functional
    lucid::nn::UpsampleOptions options;
    if (c.attrs.contains("size")) {
      options.size = c.attrs.at("size").get<std::vector<std::int64_t>>();
    } else {
      options.scale_factor = c.attrs.at("scale_factor").get<double>();
    }
    return x.dim() == 4 ? lucid::nn::Upsample(options)(x) : F::interpolate(x, options);
  }
  if (op == "conv2d") {
    const Tensor w = c.tensor("weight");
    const auto groups = c.attrs.at("groups").get<std::int64_t>();
    lucid::nn::Conv2d conv(w.size(1) * groups, w.size(0), {w.size(2), w.size(3)},
                           {.stride = pair_attr(c, "stride"),
                            .padding = pair_attr(c, "padding"),
                            .dilation = pair_attr(c, "dilation"),
                            .groups = groups,
                            .bias = c.has("bias"),
                            .dtype = dtype});
    load_parameter(conv.weight, c, "weight", dtype);
    if (c.has("bias")) load_parameter(conv.bias, c, "bias", dtype);
    parameters = {{"weight", conv.weight}, {"bias", conv.bias}};
    return conv(x);
  }
  if (op == "linear") {
    const Tensor w = c.tensor("weight");
    lucid::nn::Linear linear(w.size(1), w.size(0), {.bias = c.has("bias"), .dtype = dtype});
    load_parameter(linear.weight, c, "weight", dtype);
    if (c.has("bias")) load_parameter(linear.bias, c, "bias", dtype);
    parameters = {{"weight", linear.weight}, {"bias", linear.bias}};
    return linear(x);
  }
  if (op == "max_pool2d" || op == "avg_pool2d") return pool(c, op, x);
  if (op == "adaptive_avg_pool2d") return lucid::nn::AdaptiveAvgPool2d(pair_attr(c, "output_size"))(x);
  if (op == "activation") return (*activation(c.attrs.at("kind").get<std::string>()))(x);
  if (op == "cross_entropy") {
    lucid::nn::CrossEntropyLoss loss({.reduction = reduction_attr(c), .label_smoothing = c.attrs.at("label_smoothing").get<double>()});
    return loss(x, in.at("target"));
  }
  if (op == "nll_loss") return lucid::nn::NLLLoss({.reduction = reduction_attr(c)})(x, in.at("target"));
  if (op == "mse_loss") return lucid::nn::MSELoss({.reduction = reduction_attr(c)})(x, in.at("target"));
  throw std::invalid_argument("golden case " + c.name + ": unknown op " + op);
}

class LayersParity : public ::testing::TestWithParam<golden::ParityParam> {};

TEST_P(LayersParity, ForwardAndBackwardMatchPyTorch) {
  const golden::Case& c = layer_cases()[std::get<0>(GetParam())];
  const golden::Precision& p = std::get<1>(GetParam());
  Leaves in;
  if (c.has("x")) in["x"] = leaf(c, "x", p.dtype, true);
  // Class ids are int64 constants (stored as exact float64 integers); probability and MSE targets are
  // differentiable.
  if (c.attrs.value("target", "") == "class") {
    in["target"] = c.tensor("target", lucid::int64);
  } else if (c.has("target")) {
    in["target"] = leaf(c, "target", p.dtype, c.has("dtarget"));
  }

  Leaves parameters;
  const Tensor y = forward(c, in, p.dtype, parameters);
  ASSERT_EQ(y.dtype(), p.dtype);
  EXPECT_TRUE(golden::close_scaled(y, c.tensor("y"), p.output_rtol)) << "y";

  y.backward(c.tensor("gy", p.dtype));
  std::size_t compared = 0;
  for (const Leaves* leaves : {&in, &parameters}) {
    for (const auto& [key, leaf] : *leaves) {
      if (!c.has("d" + key)) {
        EXPECT_FALSE(leaf.defined() && leaf.grad().defined()) << key << " got a gradient PyTorch does not have";
        continue;
      }
      ASSERT_TRUE(leaf.grad().defined()) << "no gradient for " << key;
      EXPECT_TRUE(golden::close_scaled(leaf.grad(), c.tensor("d" + key), p.grad_rtol)) << "d" << key;
      ++compared;
    }
  }
  EXPECT_GE(compared, 1u);
}

INSTANTIATE_TEST_SUITE_P(Golden, LayersParity, golden::parity_params(layer_cases()), golden::ParityName{layer_cases()});

// The golden file holds the spread of cases it promises (a regenerated file that lost some would
// otherwise pass silently).
TEST(LayersParityFile, CoversTheCaseSpread) {
  std::multiset<std::string> ops;
  std::set<std::string> conv, reductions, activations;
  std::set<double> smoothing;
  std::set<std::string> ce_targets;
  for (const golden::Case& c : layer_cases()) {
    const std::string op = c.attrs.at("op").get<std::string>();
    ops.insert(op);
    if (op == "conv2d") {
      const Tensor w = c.tensor("weight"), x = c.tensor("x");
      const auto s = pair_attr(c, "stride"), pad = pair_attr(c, "padding"), d = pair_attr(c, "dilation");
      if (s[0] == 2 || s[1] == 2) conv.insert("stride2");
      for (std::int64_t v : pad.values()) conv.insert("padding" + std::to_string(v));
      if (d[0] == 2 || d[1] == 2) conv.insert("dilation2");
      conv.insert(c.has("bias") ? "bias" : "nobias");
      if (w.size(2) != w.size(3)) conv.insert("nonsquare");
      if (w.size(1) > 1 && w.size(0) > 1) conv.insert("channels");
      const auto groups = c.attrs.at("groups").get<std::int64_t>();
      if (groups > 1) conv.insert(groups == x.size(1) ? "depthwise" : "groups");
      conv.insert(x.size(0) == 1 ? "batch1" : "batch>1");
    }
    if (c.attrs.contains("reduction")) reductions.insert(op + ":" + c.attrs.at("reduction").get<std::string>());
    if (op == "cross_entropy") {
      smoothing.insert(c.attrs.at("label_smoothing").get<double>());
      ce_targets.insert(c.attrs.at("target").get<std::string>());
    }
    if (op == "activation") activations.insert(c.attrs.at("kind").get<std::string>());
  }
  EXPECT_EQ(conv, (std::set<std::string>{"stride2", "padding0", "padding1", "padding2", "dilation2", "bias", "nobias",
                                         "nonsquare", "channels", "batch1", "batch>1", "groups", "depthwise"}));
  for (const char* op : {"max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "linear", "conv_transpose2d", "interpolate"}) {
    EXPECT_GE(ops.count(op), 3u) << op;
  }
  for (const char* r : {"cross_entropy:mean", "cross_entropy:sum", "nll_loss:mean", "nll_loss:sum", "mse_loss:mean",
                        "mse_loss:sum"}) {
    EXPECT_EQ(reductions.count(r), 1u) << r;
  }
  EXPECT_EQ(smoothing, (std::set<double>{0.0, 0.1}));
  EXPECT_EQ(ce_targets, (std::set<std::string>{"class", "probabilities"}));
  EXPECT_EQ(activations, (std::set<std::string>{"relu", "silu", "gelu_tanh", "sigmoid", "tanh"}));
}

}  // namespace
