// Training of the diffusion example: the ε-prediction loss of one batch (with label dropout for
// classifier-free guidance), the learning-rate schedule, and one epoch of AdamW steps + EMA updates.
#pragma once

#include <cstdint>
#include <functional>

#include "examples/diffusion/ema.h"
#include "examples/diffusion/schedule.h"
#include "examples/diffusion/unet.h"
#include "examples/fashion_mnist/progress.h"
#include "lucid.h"

namespace diffusion {

// The DDPM loss of a batch: t ~ U{0 .. T−1}, ε ~ N(0, I), each label replaced by kNullClass with
// probability `label_drop`, loss = mean (ε̂(x_t, t, label) − ε)², x_t = √ᾱ_t x0 + √(1 − ᾱ_t) ε.
// images (B, 1, 28, 28) in [−1, 1], labels (B,) int64. Draws come from `generator`.
lucid::Tensor diffusion_loss(UNet& model, const NoiseSchedule& schedule, const lucid::Tensor& images,
                             const lucid::Tensor& labels, double label_drop, lucid::Generator& generator);

// lr at optimizer step `step` of `total`: linear warm-up over `warmup` steps, then cosine decay to 0:
//   lr = base · min(1, (step + 1)/warmup) · (1 + cos(π · step/total)) / 2.
double warmup_cosine_lr(double base, std::int64_t step, std::int64_t total, std::int64_t warmup);

struct EpochOptions {
  double label_drop = 0.1;
  double lr = 2e-3;
  std::int64_t total_steps = 1;   // optimizer steps of the whole run (the lr schedule's length)
  std::int64_t warmup_steps = 0;
  std::int64_t first_step = 0;    // steps taken before this epoch
};

struct EpochResult {
  double loss = 0.0;  // mean batch loss
  std::int64_t samples = 0;
  double seconds = 0.0;
};

// One pass over `loader`: per batch the lr of its step, zero_grad, diffusion_loss, backward, AdamW
// step, EMA update. `progress` (optional) shows the running loss; `on_step(step, loss)` (optional)
// after each step.
EpochResult train_epoch(UNet& model, lucid::optim::Optimizer& optimizer, Ema& ema, const NoiseSchedule& schedule,
                        lucid::data::DataLoader& loader, const EpochOptions& options, lucid::Generator& generator,
                        fashion_mnist::Progress* progress = nullptr,
                        const std::function<void(std::int64_t, double)>& on_step = {});

}  // namespace diffusion
