// Functional instance normalisation (PyTorch's F.instance_norm), optionally followed by an activation
// fused into the same kernels (modules/fused_activation.h). Per sample n and channel c of x (N, C, *):
//
//   y[n, c, ...] = act((x[n, c, ...] − μ_nc) / √(σ²_nc + eps) · weight[c] + bias[c])
//
// With input statistics, μ_nc and σ²_nc (biased) over the spatial values of (n, c): GroupNorm with one
// channel per group, its kernels and statistics exactly. The running buffers, when given, become
// (1 − momentum)·running + momentum·(the batch's mean over n of μ_nc, and of the unbiased σ²_nc), as
// PyTorch's. Without input statistics, μ and σ² are the running buffers (batch_norm's evaluation).
#pragma once

#include "framework/tensor.h"
#include "modules/fused_activation.h"

namespace lucid::nn::functional {

// x: (N, C, *) float32 or float64; running_mean, running_var, weight, bias: (C,) of x's dtype, or
// undefined. eps ≥ 0. Differentiable in x, weight and bias, to any order. ValueError naming the offending
// values, before any state changes, for a wrong shape or dtype, eps < 0, a single spatial value with
// input statistics (PyTorch: "Expected more than 1 spatial element when training"), or no input
// statistics and no running statistics.
Tensor instance_norm(const Tensor& x, const Tensor& running_mean = {}, const Tensor& running_var = {},
                     const Tensor& weight = {}, const Tensor& bias = {}, bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5, Activation activation = Activation::none);

}  // namespace lucid::nn::functional
