// The cosine noise schedule, the forward noising and the DDIM step (schedule.h).
#include "examples/diffusion/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace diffusion {

namespace {

// f(u) = cos²((u + s)/(1 + s) · π/2), s = 0.008: the cosine schedule's ᾱ before normalisation.
double cosine_f(double u) {
  constexpr double s = 0.008;
  const double c = std::cos((u + s) / (1.0 + s) * std::numbers::pi / 2.0);
  return c * c;
}

}  // namespace

NoiseSchedule::NoiseSchedule(std::int64_t steps) {
  if (steps < 2) throw lucid::ValueError("NoiseSchedule: steps (" + std::to_string(steps) + ") must be at least 2");
  alpha_bar_.resize(static_cast<std::size_t>(steps));
  double product = 1.0;
  const double t_count = static_cast<double>(steps);
  for (std::int64_t t = 0; t < steps; ++t) {
    const double beta = std::min(1.0 - cosine_f(static_cast<double>(t + 1) / t_count) / cosine_f(static_cast<double>(t) / t_count), 0.999);
    product *= 1.0 - beta;
    alpha_bar_[static_cast<std::size_t>(t)] = product;
  }
}

double NoiseSchedule::alpha_bar(std::int64_t t) const {
  if (t < 0 || t >= steps()) {
    throw lucid::ValueError("NoiseSchedule: timestep " + std::to_string(t) + " is outside 0.." + std::to_string(steps() - 1));
  }
  return alpha_bar_[static_cast<std::size_t>(t)];
}

lucid::Tensor NoiseSchedule::add_noise(const lucid::Tensor& x0, const lucid::Tensor& noise, const lucid::Tensor& t) const {
  const std::int64_t b = x0.size(0);
  if (t.dim() != 1 || t.size(0) != b || t.dtype() != lucid::int64 || noise.shape() != x0.shape()) {
    throw lucid::ValueError("add_noise: x0 " + x0.shape().str() + ", noise " + noise.shape().str() + " and t " +
                            t.shape().str() + " must be (B, ...), the same shape, and (B,) int64");
  }
  std::vector<float> signal(static_cast<std::size_t>(b)), noise_scale(static_cast<std::size_t>(b));
  const std::vector<std::int64_t> steps_of = t.to_vector<std::int64_t>();
  for (std::int64_t i = 0; i < b; ++i) {
    const double ab = alpha_bar(steps_of[static_cast<std::size_t>(i)]);
    signal[static_cast<std::size_t>(i)] = static_cast<float>(std::sqrt(ab));
    noise_scale[static_cast<std::size_t>(i)] = static_cast<float>(std::sqrt(1.0 - ab));
  }
  lucid::Shape per_sample(std::vector<std::int64_t>(static_cast<std::size_t>(x0.dim()), 1));
  per_sample[0] = b;
  return x0 * lucid::tensor(signal, per_sample) + noise * lucid::tensor(noise_scale, per_sample);
}

std::vector<std::int64_t> NoiseSchedule::ddim_timesteps(std::int64_t count) const {
  if (count < 1 || count > steps()) {
    throw lucid::ValueError("ddim_timesteps: count (" + std::to_string(count) + ") must be in 1.." + std::to_string(steps()));
  }
  std::vector<std::int64_t> out(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const double u = count == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(count - 1);
    out[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(std::llround((1.0 - u) * static_cast<double>(steps() - 1)));
  }
  return out;
}

lucid::Tensor NoiseSchedule::ddim_step(const lucid::Tensor& x_t, const lucid::Tensor& eps, std::int64_t t,
                                       std::int64_t t_prev) const {
  if (t_prev < -1 || t_prev >= t || t >= steps()) {
    throw lucid::ValueError("ddim_step: need -1 <= t_prev < t <= " + std::to_string(steps() - 1) + ", got t " +
                            std::to_string(t) + " and t_prev " + std::to_string(t_prev));
  }
  const double ab = alpha_bar(t), ab_prev = t_prev < 0 ? 1.0 : alpha_bar(t_prev);
  const lucid::Tensor x0 = ((x_t - eps * std::sqrt(1.0 - ab)) * (1.0 / std::sqrt(ab))).clamp(-1.0, 1.0);
  const lucid::Tensor eps_clamped = (x_t - x0 * std::sqrt(ab)) * (1.0 / std::sqrt(1.0 - ab));
  return x0 * std::sqrt(ab_prev) + eps_clamped * std::sqrt(1.0 - ab_prev);
}

}  // namespace diffusion
