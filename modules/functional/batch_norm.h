// Functional batch normalisation (PyTorch's F.batch_norm), optionally followed by an activation fused
// into the same kernels (modules/fused_activation.h). Per channel c of x (N, C, *):
//
//   y[n, c, ...] = act((x[n, c, ...] − μ_c) / √(σ²_c + eps) · weight[c] + bias[c])
//
// Training: μ_c, σ²_c (biased) over the N·spatial values of the channel, with GroupNorm's robust
// statistics, in BatchNorm's kernels (framework/kernels/batch_norm.h: x read in place, channel by
// channel); the running buffers, when
// given, become (1 − momentum)·running + momentum·batch, with the unbiased variance (PyTorch's update).
// Evaluation: μ_c = running_mean[c], σ²_c = running_var[c].
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "framework/tensor.h"
#include "modules/fused_activation.h"

namespace lucid::nn::functional {

// x: (N, C, *) float32 or float64; running_mean, running_var, weight, bias: (C,) of x's dtype, or
// undefined (running stats are then required when not training; weight and bias then give no affine
// map). eps ≥ 0. The running buffers are written in place (outside autograd) when training. Differentiable
// in x, weight and bias, to any order. ValueError naming the offending values, before any state changes,
// for a wrong shape or dtype, eps < 0, a single value per channel when training (PyTorch: "Expected more
// than 1 value per channel when training") or evaluation without running statistics.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight = {},
                  const Tensor& bias = {}, bool training = false, double momentum = 0.1, double eps = 1e-5,
                  Activation activation = Activation::none);

namespace detail {

// ValueError "<op>: ..." unless x is (N, C, *) with at least 2 dimensions, eps ≥ 0 and each defined
// per-channel tensor (weight, bias, running_mean, running_var) is (C,) of x's dtype.
void check_per_channel_arguments(const char* op, const Tensor& x, const Tensor& running_mean,
                                 const Tensor& running_var, const Tensor& weight, const Tensor& bias, double eps);
// act((x − running_mean)·a + bias) with a = weight/√(running_var + eps), per channel, with differentiable
// ops (evaluation with running statistics, as PyTorch's x·α + β).
Tensor normalize_with_running_stats(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                                    const Tensor& weight, const Tensor& bias, double eps, Activation activation);
// Mean and biased variance per item from the norm kernels' float64 (3, items) statistics (GroupNorm's
// (3, N, G), BatchNorm's (3, C)): μ = center + mean_offset, σ² = 1/rstd² − eps (≥ 0), in item order.
struct GroupMoments {
  std::vector<double> mean, var;
};
GroupMoments group_moments(const Tensor& statistics, double eps);
// running ← (1 − momentum)·running + momentum·batch for each defined buffer, in float64, written in place
// (the buffers' versions move). mean and unbiased_var hold one value per channel.
void update_running_stats(const Tensor& running_mean, const Tensor& running_var, std::span<const double> mean,
                          std::span<const double> unbiased_var, double momentum);

}  // namespace detail

}  // namespace lucid::nn::functional
