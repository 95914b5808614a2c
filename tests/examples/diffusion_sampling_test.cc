// The diffusion example's EMA update formula, the DDIM sampler's determinism and checks, the
// classification accuracy of samples under a classifier with known answers, the scaling to the
// classifier's input, and the run settings' checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "examples/diffusion/ema.h"
#include "examples/diffusion/sampler.h"
#include "examples/diffusion/score.h"
#include "examples/diffusion/settings.h"
#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

// A module with one parameter "w" (used as the EMA's model and average).
class EmaProbe : public nn::Module {
 public:
  explicit EmaProbe(std::vector<float> values) { w = register_parameter("w", tensor(values, {static_cast<std::int64_t>(values.size())})); }
  nn::Parameter w;
};

TEST(DiffusionEma, UpdateIsTheDecayFormulaWithWarmup) {
  EmaProbe model({1.0F, -2.0F}), average({0.0F, 0.0F});
  diffusion::Ema ema(average, 0.999);
  // d = min(0.999, (1 + n)/(10 + n)): 0.1 at the first update, 2/11 at the second.
  EXPECT_DOUBLE_EQ(ema.next_decay(), 0.1);
  ema.update(model);
  EXPECT_NEAR(average.w.to_vector<float>()[0], 0.9, 1e-7);
  EXPECT_NEAR(average.w.to_vector<float>()[1], -1.8, 1e-7);
  EXPECT_DOUBLE_EQ(ema.next_decay(), 2.0 / 11.0);
  ema.update(model);  // 2/11 · 0.9 + 9/11 · 1
  EXPECT_NEAR(average.w.to_vector<float>()[0], 2.0 / 11.0 * 0.9 + 9.0 / 11.0, 1e-6);
  ema.set_updates(100000);  // past the warm-up the decay is the configured one
  EXPECT_DOUBLE_EQ(ema.next_decay(), 0.999);
  ema.copy_from(model);
  EXPECT_EQ(average.w.to_vector<float>(), (std::vector<float>{1.0F, -2.0F}));
}

TEST(DiffusionEma, MismatchedModulesAndBadDecayRaiseValueError) {
  EmaProbe model({1.0F, 2.0F}), average({0.0F, 0.0F, 0.0F});
  diffusion::Ema ema(average, 0.9);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { ema.update(model); }), "w (3,) in the average but w (2,) in the model"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { diffusion::Ema bad(average, 1.0); }), "decay (1) must be in [0, 1)"));
}

TEST(DiffusionSampler, SameSeedSameSamplesOtherSeedOthers) {
  manual_seed(2);
  diffusion::UNet net({.channels = 8});
  const diffusion::NoiseSchedule schedule(1000);
  const diffusion::SamplerOptions options{.steps = 3, .guidance = 2.0, .batch_size = 3};
  const std::vector<std::int64_t> labels{0, 4, 9, 9, 1};  // two chunks of the batch size
  Generator a(42), b(42), c(43);
  const std::vector<float> first = diffusion::sample(net, schedule, labels, options, a).to_vector<float>();
  const std::vector<float> again = diffusion::sample(net, schedule, labels, options, b).to_vector<float>();
  const std::vector<float> other = diffusion::sample(net, schedule, labels, options, c).to_vector<float>();
  ASSERT_EQ(first.size(), 5U * 28 * 28);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  for (const float v : first) ASSERT_TRUE(v >= -1.0F && v <= 1.0F) << v;  // the last step returns the clamped x̂0
  EXPECT_TRUE(net.is_training());  // the mode is restored
  EXPECT_EQ(diffusion::labels_per_class(2), (std::vector<std::int64_t>{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9}));
}

TEST(DiffusionSampler, BadOptionsRaiseValueError) {
  diffusion::UNet net({.channels = 8});
  const diffusion::NoiseSchedule schedule(1000);
  Generator g(0);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { diffusion::sample(net, schedule, {10}, {}, g); }), "label 10 is outside 0..9"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { diffusion::sample(net, schedule, {1}, {.guidance = -1.0}, g); }),
                       "guidance (-1)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { diffusion::sample(net, schedule, {1}, {.steps = 0}, g); }), "count (0)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { diffusion::sample(net, schedule, {1}, {.batch_size = 0}, g); }),
                       "batch_size (0)"));
}

// A classifier whose logits are fixed: sample i is classified as predictions[i].
class FixedClassifier : public nn::Module {
 public:
  explicit FixedClassifier(std::vector<std::int64_t> predictions) : predictions_(std::move(predictions)) {}
  Tensor forward(const Tensor& x) override {
    EXPECT_EQ(x.size(0), static_cast<std::int64_t>(predictions_.size()));
    std::vector<float> logits(predictions_.size() * 10, 0.0F);
    for (std::size_t i = 0; i < predictions_.size(); ++i) logits[i * 10 + static_cast<std::size_t>(predictions_[i])] = 1.0F;
    return tensor(logits, {x.size(0), 10});
  }

 private:
  std::vector<std::int64_t> predictions_;
};

TEST(DiffusionScore, AccuracyIsTheFractionClassifiedAsTheirLabel) {
  FixedClassifier classifier({0, 1, 2, 3});
  EXPECT_DOUBLE_EQ(diffusion::classification_accuracy(classifier, zeros({4, 1, 28, 28}), {0, 1, 5, 3}), 0.75);
  EXPECT_DOUBLE_EQ(diffusion::classification_accuracy(classifier, zeros({4, 1, 28, 28}), {9, 9, 9, 9}), 0.0);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { diffusion::classification_accuracy(classifier, zeros({4, 1, 28, 28}), {1}); }),
                       "4 samples and 1 labels"));
  // [−1, 1] → the classifier's standardisation: ((x + 1)/2 − 0.2860)/0.3530.
  const std::vector<float> scaled = diffusion::to_classifier_input(tensor(std::vector<float>{-1.0F, 0.0F, 1.0F}, {3})).to_vector<float>();
  EXPECT_NEAR(scaled[0], -0.2860 / 0.3530, 1e-6);
  EXPECT_NEAR(scaled[1], (0.5 - 0.2860) / 0.3530, 1e-6);
  EXPECT_NEAR(scaled[2], (1.0 - 0.2860) / 0.3530, 1e-6);
}

TEST(DiffusionSettings, OutOfRangeOptionsRaiseValueErrorNamingThem) {
  EXPECT_NO_THROW(diffusion::check_settings({}));
  const auto message = [](auto change) {
    diffusion::Settings s;
    change(s);
    return error_message<ValueError>([&] { diffusion::check_settings(s); });
  };
  EXPECT_TRUE(contains(message([](auto& s) { s.batch_size = 0; }), "--batch-size (0) must be >= 1"));
  EXPECT_TRUE(contains(message([](auto& s) { s.lr = -1e-3; }), "--lr (-0.001) must be finite and > 0"));
  EXPECT_TRUE(contains(message([](auto& s) { s.lr = std::numeric_limits<double>::infinity(); }), "--lr (inf)"));
  EXPECT_TRUE(contains(message([](auto& s) { s.ema_decay = 1.5; }), "--ema-decay (1.5) must be in [0, 1)"));
  EXPECT_TRUE(contains(message([](auto& s) { s.channels = 20; }), "--channels (20) must be a positive multiple of 8"));
  EXPECT_TRUE(contains(message([](auto& s) { s.guidance = std::nan(""); }), "--guidance (nan)"));
  EXPECT_TRUE(contains(message([](auto& s) { s.sample_steps = 0; }), "--sample-steps (0) must be in 1..1000"));
  EXPECT_TRUE(contains(message([](auto& s) { s.epochs = -1; }), "--epochs (-1)"));
  EXPECT_TRUE(contains(message([](auto& s) { s.sample_only = true; }), "--sample-only needs --resume"));
}

}  // namespace
}  // namespace lucid::test
