// The diffusion example's UNet at a tiny width: output shape, the sinusoidal timestep embedding
// against its closed form, bad inputs, and training sanity (AdamW steps on one fixed batch with fixed
// timesteps and noise lower the loss), plus the warm-up + cosine lr formula.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "examples/diffusion/schedule.h"
#include "examples/diffusion/train.h"
#include "examples/diffusion/unet.h"
#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

TEST(DiffusionUNet, PredictsNoiseOfTheInputsShape) {
  manual_seed(3);
  diffusion::UNet net({.channels = 8});
  const Tensor x = randn({3, 1, 28, 28});
  const Tensor y = net.forward(x, tensor(std::vector<std::int64_t>{0, 500, 999}, {3}),
                               tensor(std::vector<std::int64_t>{0, 9, diffusion::kNullClass}, {3}));
  EXPECT_EQ(y.shape(), Shape({3, 1, 28, 28}));
  EXPECT_EQ(y.dtype(), float32);
  for (const float v : y.to_vector<float>()) ASSERT_TRUE(std::isfinite(v));
  // Parameter names follow the members; the class table has a row per class and one for "no label".
  const auto named = net.named_parameters();
  EXPECT_EQ(named.front().first, "time1.weight");
  bool found_label = false;
  for (const auto& [name, p] : named) {
    if (name == "label.weight") {
      found_label = true;
      EXPECT_EQ(p.shape(), Shape({11, 32}));
    }
  }
  EXPECT_TRUE(found_label);
}

TEST(DiffusionUNet, TimestepEmbeddingIsSinAndCosOfGeometricFrequencies) {
  const std::vector<std::int64_t> t{0, 1, 37, 999};
  const Tensor e = diffusion::timestep_embedding(tensor(t, {4}), 8);
  ASSERT_EQ(e.shape(), Shape({4, 8}));
  const std::vector<float> got = e.to_vector<float>();
  for (std::size_t row = 0; row < t.size(); ++row) {
    for (int i = 0; i < 4; ++i) {
      const double angle = static_cast<double>(t[row]) * std::pow(10000.0, -i / 4.0);
      EXPECT_NEAR(got[row * 8 + i], std::sin(angle), 2e-4) << row << ", " << i;
      EXPECT_NEAR(got[row * 8 + 4 + i], std::cos(angle), 2e-4) << row << ", " << i;
    }
  }
  EXPECT_TRUE(contains(error_message<ValueError>([&] { diffusion::timestep_embedding(tensor(t, {4}), 7); }), "dim (7)"));
}

TEST(DiffusionUNet, BadInputsRaiseValueError) {
  EXPECT_TRUE(contains(error_message<ValueError>([] { diffusion::UNet net({.channels = 12}); }),
                       "channels (12) must be a positive multiple of groups (8)"));
  diffusion::UNet net({.channels = 8});
  const Tensor t = tensor(std::vector<std::int64_t>{1, 2}, {2});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { net.forward(zeros({2, 1, 27, 28}), t, t); }), "(2, 1, 27, 28)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { net.forward(zeros({2, 1, 28, 28}), t, zeros({2})); }),
                       "t and labels must be int64 of shape (2,)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { net.forward(zeros({2, 1, 28, 28})); }), "needs timesteps and labels"));
}

TEST(DiffusionUNet, AdamStepsLowerTheLossOnAFixedBatch) {
  manual_seed(5);
  diffusion::UNet net({.channels = 8});
  const diffusion::NoiseSchedule schedule(1000);
  optim::AdamW optimizer(net.parameters(), {.lr = 3e-3});
  // Eight "images": a bright square of a class-dependent size on a dark background, in [−1, 1].
  std::vector<float> pixels(8 * 28 * 28, -1.0F);
  std::vector<std::int64_t> labels;
  for (std::int64_t n = 0; n < 8; ++n) {
    labels.push_back(n % 10);
    for (std::int64_t r = 10 - n; r < 18 + n; ++r) {
      for (std::int64_t c = 10 - n; c < 18 + n; ++c) pixels[static_cast<std::size_t>(n * 784 + r * 28 + c)] = 1.0F;
    }
  }
  const Tensor images = tensor(pixels, {8, 1, 28, 28}), targets = tensor(labels, {8});
  std::vector<double> losses;
  for (int step = 0; step < 30; ++step) {
    Generator same_draws(11);  // the same timesteps, noise and label drops every step: one fixed objective
    optimizer.zero_grad();
    const Tensor loss = diffusion::diffusion_loss(net, schedule, images, targets, 0.1, same_draws);
    loss.backward();
    optimizer.step();
    losses.push_back(loss.item<double>());
  }
  EXPECT_GT(losses.front(), 0.3);  // ε ~ N(0, 1): an untrained net is far off
  EXPECT_LT(losses.back(), 0.6 * losses.front()) << "first " << losses.front() << ", last " << losses.back();
}

TEST(DiffusionTraining, WarmupCosineLearningRate) {
  // lr = base · min(1, (step + 1)/warmup) · (1 + cos(π step/total)) / 2
  EXPECT_DOUBLE_EQ(diffusion::warmup_cosine_lr(2e-3, 0, 1000, 100), 2e-3 * 0.01 * 1.0);
  EXPECT_DOUBLE_EQ(diffusion::warmup_cosine_lr(2e-3, 99, 1000, 100), 2e-3 * (1.0 + std::cos(std::numbers::pi * 0.099)) / 2.0);
  EXPECT_NEAR(diffusion::warmup_cosine_lr(2e-3, 500, 1000, 100), 1e-3, 1e-15);
  EXPECT_NEAR(diffusion::warmup_cosine_lr(2e-3, 1000, 1000, 100), 0.0, 1e-18);
  EXPECT_DOUBLE_EQ(diffusion::warmup_cosine_lr(1.0, 0, 10, 0), 1.0);
}

}  // namespace
}  // namespace lucid::test
