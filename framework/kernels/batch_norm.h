// BatchNorm's fused kernels on raw buffers (no autograd; modules/functional/batch_norm.cc records the
// graph). x is (N, C, spatial) contiguous; one work item is one channel c, whose N·spatial values lie
// in N runs of `spatial`, C·spatial apart, read in place (no transposed copy). Items run in parallel
// over OpenMP threads; every reduction has a fixed order, so results do not depend on the thread count.
//
// As GroupNorm's (group_norm.h), every kernel carries an activation epilogue act: the forward writes
// y = act(z), z = x̂·γ_c + β_c, and the backward takes dy through act′(z) in registers. The expressions
// are GroupNorm's (group_norm-inl.h, group_norm_exprs::Epilogue), applied to a channel's runs.
#pragma once

#include <cstddef>

#include "framework/kernels/norm_kernels.h"

namespace lucid::kernels {

template <typename T>
struct BatchNormForwardArgs {
  const T* x;
  const T* gamma;  // (C,) or nullptr (no affine)
  const T* beta;   // (C,) or nullptr
  T* y;
  double* center;       // (C,) out: the channel's mean μ rounded to T
  double* mean_offset;  // (C,) out: μ − center
  double* rstd;         // (C,) out: 1/√(σ² + eps), σ² the biased variance
  std::size_t batch, channels, spatial;
  double eps;
  const T* activation_scalars;  // the epilogue's scalars; nullptr when it has none
};

template <typename T>
struct BatchNormBackwardArgs {
  const T* dy;
  const T* x;
  const T* gamma;  // (C,) or nullptr
  const T* beta;   // (C,) or nullptr; read only by an epilogue other than the identity
  const double* center;  // the forward's statistics
  const double* mean_offset;
  const double* rstd;
  T* dx;                // nullptr: x needs no gradient
  double* sum_dy;       // (C,) out: Σ g over the channel, g = dy·act′(z) (= dβ)
  double* sum_dy_xhat;  // (C,) out: Σ g·x̂ over the channel (= dγ)
  std::size_t batch, channels, spatial;
  const T* activation_scalars;
};

// The kernels of BatchNorm followed by one activation epilogue; a work item is one channel.
using BatchNormKernels = NormKernels<BatchNormForwardArgs, BatchNormBackwardArgs>;

// Per channel: μ and σ² over its N runs with GroupNorm's robust statistics (norm_statistics-inl.h),
// then z = (x − m)·a + b per run with m = μ rounded to T, a = rstd·γ_c, b = β_c − (μ − m)·a; y = act(z).
void batch_norm_forward(const BatchNormKernels& kernels, const BatchNormForwardArgs<float>& args);
void batch_norm_forward(const BatchNormKernels& kernels, const BatchNormForwardArgs<double>& args);

// Per channel, with g = dy·act′(z) in registers and M = N·spatial: Σg and Σg·(x − m) over its runs; then
// dx = a·g + c2·(x − m) + c3 with c2 = −γ_c·Σg(x − μ)·rstd³/M, c3 = −c2·(μ − m) − γ_c·Σg·rstd/M.
void batch_norm_backward(const BatchNormKernels& kernels, const BatchNormBackwardArgs<float>& args);
void batch_norm_backward(const BatchNormKernels& kernels, const BatchNormBackwardArgs<double>& args);

// The identity (plain BatchNorm) and the activations of nn::Activation.
extern const BatchNormKernels BatchNorm_kernels;  // backward node "BatchNormBackward"
extern const BatchNormKernels BatchNormReLU_kernels;
extern const BatchNormKernels BatchNormSiLU_kernels;  // backward node "BatchNormSiLUBackward"
extern const BatchNormKernels BatchNormGELU_kernels;
extern const BatchNormKernels BatchNormSigmoid_kernels;
extern const BatchNormKernels BatchNormTanh_kernels;

}  // namespace lucid::kernels
