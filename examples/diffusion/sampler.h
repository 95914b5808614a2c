// DDIM sampling (η = 0) with classifier-free guidance from the diffusion example's UNet.
#pragma once

#include <cstdint>
#include <vector>

#include "examples/diffusion/schedule.h"
#include "examples/diffusion/unet.h"
#include "lucid.h"

namespace diffusion {

struct SamplerOptions {
  std::int64_t steps = 30;         // DDIM steps (1 .. T)
  double guidance = 3.0;           // w: ε̂ = ε̂_∅ + w · (ε̂_c − ε̂_∅); 1 = conditional only, 0 = unconditional
  std::int64_t batch_size = 250;   // samples denoised together (each step runs the UNet on 2× this with guidance ≠ 1)
};

// ε̂ of a batch x (B, 1, 28, 28) at timestep t for labels (B,) int64 under guidance w: with w ≠ 1 one
// UNet pass over [x; x] with labels [c; ∅], then ε̂_∅ + w · (ε̂_c − ε̂_∅); with w = 1 the conditional
// pass alone. Records a graph unless called under no_grad.
lucid::Tensor guided_noise(UNet& model, const lucid::Tensor& x, std::int64_t t, const lucid::Tensor& labels, double w);

// Draws one image per label (labels in 0 .. kClasses−1) starting from x_T ~ N(0, I) drawn from
// `generator`, then DDIM steps down the schedule's ddim_timesteps(steps); returns (N, 1, 28, 28) in
// [−1, 1]. Runs in eval mode under no_grad (the model's mode is restored). The result depends only
// on the model, the labels, the options and the generator's state. ValueError for a label outside
// 0 .. kClasses−1, steps outside 1 .. T, guidance negative or not finite, batch_size < 1.
lucid::Tensor sample(UNet& model, const NoiseSchedule& schedule, const std::vector<std::int64_t>& labels,
                     const SamplerOptions& options, lucid::Generator& generator);

// `per_class` labels of each class in turn: 0,0,…,1,1,…,9 (a grid row per class).
std::vector<std::int64_t> labels_per_class(std::int64_t per_class);

}  // namespace diffusion
