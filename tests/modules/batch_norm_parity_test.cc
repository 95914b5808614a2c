// BatchNorm1d/2d and InstanceNorm1d/2d/3d against PyTorch: every case of tests/golden/batch_norm.json
// (written by make_batch_norm_golden.py from PyTorch 1.13 in float64) runs through the lucid module of
// the same configuration, with the activation fused in, in float64 and in float32: three training steps
// (outputs and gradients of ⟨dy, y⟩ with batch statistics), the buffers after them, then one eval step.
// Tolerances as GroupNorm's (golden_util.h): float64 1e-10, float32 outputs 1e-5 and gradients 1e-4,
// relative to each tensor's largest magnitude.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/modules/activation_util.h"

namespace batch_norm_parity {

namespace golden = lucid::test::golden;
using lucid::Tensor;
using lucid::nn::Activation;

const std::vector<golden::Case>& cases() {
  static const std::vector<golden::Case> all = golden::load("batch_norm.json");
  return all;
}

// The case's module in dtype, its activation fused in.
std::shared_ptr<lucid::nn::Module> module_of(const golden::Case& c, lucid::DType dtype) {
  const std::string type = c.attrs.at("module").get<std::string>();
  const std::int64_t features = c.attrs.at("num_features").get<std::int64_t>();
  const double eps = c.attrs.at("eps").get<double>();
  const bool affine = c.attrs.at("affine").get<bool>(), track = c.attrs.at("track_running_stats").get<bool>();
  const Activation act = lucid::test::activation_named(c.attrs.at("activation").get<std::string>());
  const nlohmann::json& momentum = c.attrs.at("momentum");
  if (type.rfind("BatchNorm", 0) == 0) {
    const lucid::nn::BatchNormOptions options{
        .eps = eps,
        .momentum = momentum.is_null() ? std::nullopt : std::optional<double>(momentum.get<double>()),
        .affine = affine,
        .track_running_stats = track,
        .activation = act,
        .dtype = dtype};
    if (type == "BatchNorm1d") return std::make_shared<lucid::nn::BatchNorm1d>(features, options);
    return std::make_shared<lucid::nn::BatchNorm2d>(features, options);
  }
  const lucid::nn::InstanceNormOptions options{.eps = eps,
                                               .momentum = momentum.get<double>(),
                                               .affine = affine,
                                               .track_running_stats = track,
                                               .activation = act,
                                               .dtype = dtype};
  if (type == "InstanceNorm1d") return std::make_shared<lucid::nn::InstanceNorm1d>(features, options);
  if (type == "InstanceNorm2d") return std::make_shared<lucid::nn::InstanceNorm2d>(features, options);
  return std::make_shared<lucid::nn::InstanceNorm3d>(features, options);
}

// The module's state_dict entry `key` (a tensor sharing the module's storage).
Tensor state_entry(const lucid::nn::Module& module, const std::string& key) {
  for (const auto& [name, value] : module.state_dict()) {
    if (name == key) return value;
  }
  ADD_FAILURE() << "no state_dict entry " << key;
  return {};
}

class BatchNormParity : public ::testing::TestWithParam<golden::ParityParam> {};

TEST_P(BatchNormParity, TrainingStepsBuffersAndEvalMatchPyTorch) {
  const golden::Case& c = cases()[std::get<0>(GetParam())];
  const golden::Precision& p = std::get<1>(GetParam());
  const bool affine = c.attrs.at("affine").get<bool>();
  ASSERT_EQ(affine, c.has("weight"));
  const std::shared_ptr<lucid::nn::Module> module = module_of(c, p.dtype);
  if (affine) {
    lucid::autograd::no_grad guard;
    state_entry(*module, "weight").copy_(c.tensor("weight", p.dtype));
    state_entry(*module, "bias").copy_(c.tensor("bias", p.dtype));
  }
  for (const std::string step : {"1", "2", "3", "eval"}) {
    SCOPED_TRACE("step " + step);
    if (step == "eval") module->eval();
    module->zero_grad();
    const Tensor x = c.tensor("x" + step, p.dtype).detach().requires_grad_(true);
    const Tensor y = (*module)(x);
    ASSERT_EQ(y.dtype(), p.dtype);
    EXPECT_TRUE(golden::close_scaled(y, c.tensor("y" + step), p.output_rtol)) << "y";
    y.backward(c.tensor("dy" + step, p.dtype));
    EXPECT_TRUE(golden::close_scaled(x.grad(), c.tensor("dx" + step), p.grad_rtol)) << "dx";
    if (affine) {
      const std::vector<lucid::nn::Parameter> params = module->parameters();
      ASSERT_EQ(params.size(), 2u);
      EXPECT_TRUE(golden::close_scaled(params[0].grad(), c.tensor("dweight" + step), p.grad_rtol)) << "dweight";
      EXPECT_TRUE(golden::close_scaled(params[1].grad(), c.tensor("dbias" + step), p.grad_rtol)) << "dbias";
    }
    if (step == "3" && c.attrs.at("track_running_stats").get<bool>()) {
      EXPECT_TRUE(golden::close_scaled(state_entry(*module, "running_mean"), c.tensor("running_mean"), p.output_rtol));
      EXPECT_TRUE(golden::close_scaled(state_entry(*module, "running_var"), c.tensor("running_var"), p.output_rtol));
      const Tensor tracked = state_entry(*module, "num_batches_tracked");
      EXPECT_EQ(tracked.dtype(), lucid::int64);
      EXPECT_EQ(tracked.to_vector<std::int64_t>()[0],
                static_cast<std::int64_t>(c.tensor("num_batches_tracked").to_vector<double>()[0]));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, BatchNormParity, golden::parity_params(cases()), golden::ParityName{cases()});

// The golden file holds the spread of cases it promises: every layer, affine on and off, tracked and
// untracked, cumulative momentum, a large offset, a batch of one sample, and activations.
TEST(BatchNormParityFile, CoversTheCaseSpread) {
  std::set<std::string> modules, activations;
  bool affine = false, plain = false, untracked = false, cumulative = false, offset = false, one_sample = false;
  for (const golden::Case& c : cases()) {
    modules.insert(c.attrs.at("module").get<std::string>());
    activations.insert(c.attrs.at("activation").get<std::string>());
    (c.attrs.at("affine").get<bool>() ? affine : plain) = true;
    untracked |= !c.attrs.at("track_running_stats").get<bool>();
    cumulative |= c.attrs.at("momentum").is_null();
    offset |= c.tensor("x1").to_vector<double>()[0] > 5e3;
    one_sample |= c.tensor("x1").size(0) == 1;
  }
  EXPECT_EQ(modules, (std::set<std::string>{"BatchNorm1d", "BatchNorm2d", "InstanceNorm1d", "InstanceNorm2d",
                                            "InstanceNorm3d"}));
  EXPECT_EQ(activations, (std::set<std::string>{"none", "relu", "silu", "gelu", "sigmoid", "tanh"}));
  EXPECT_TRUE(affine && plain && untracked && cumulative && offset && one_sample);
}

}  // namespace batch_norm_parity
