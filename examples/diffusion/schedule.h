// The noise schedule of the diffusion example (cosine, Nichol & Dhariwal 2021) and the two formulas
// that use it: noising a clean image (the forward process) and one DDIM step (η = 0) back.
#pragma once

#include <cstdint>
#include <vector>

#include "lucid.h"

namespace diffusion {

class NoiseSchedule {
 public:
  // T steps of the cosine schedule: f(u) = cos²((u + s)/(1 + s) · π/2), s = 0.008,
  //   β_t = min(1 − f((t+1)/T) / f(t/T), 0.999),  ᾱ_t = Π_{i ≤ t} (1 − β_i),  t = 0 .. T−1,
  // so ᾱ_t = f((t+1)/T) / f(0) wherever no β was clipped. ValueError unless T ≥ 2.
  explicit NoiseSchedule(std::int64_t steps = 1000);

  std::int64_t steps() const { return static_cast<std::int64_t>(alpha_bar_.size()); }
  // ᾱ_t (float64); ValueError for t outside 0 .. T−1.
  double alpha_bar(std::int64_t t) const;

  // The forward process: x_t = √ᾱ_t · x0 + √(1 − ᾱ_t) · ε, per sample (t (B,) int64, x0 and ε (B, ...)).
  lucid::Tensor add_noise(const lucid::Tensor& x0, const lucid::Tensor& noise, const lucid::Tensor& t) const;

  // `count` DDIM timesteps from T−1 down to 0, evenly spaced (rounded): count = 1 gives {T−1}.
  // ValueError unless 1 ≤ count ≤ T.
  std::vector<std::int64_t> ddim_timesteps(std::int64_t count) const;

  // One deterministic DDIM step (η = 0) from timestep t to t_prev (t_prev = −1: to the clean image,
  // ᾱ = 1), given the predicted noise ε̂:
  //   x̂0 = clamp((x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t, −1, 1),   ε' = (x_t − √ᾱ_t x̂0) / √(1 − ᾱ_t),
  //   x_{t_prev} = √ᾱ_prev · x̂0 + √(1 − ᾱ_prev) · ε'
  // (ε' = ε̂ when the clamp did not act). ValueError unless −1 ≤ t_prev < t ≤ T−1.
  lucid::Tensor ddim_step(const lucid::Tensor& x_t, const lucid::Tensor& eps, std::int64_t t, std::int64_t t_prev) const;

 private:
  std::vector<double> alpha_bar_;
};

}  // namespace diffusion
