// GroupNorm's fused kernels on raw buffers (no autograd; modules/functional/group_norm.cc records
// the graph). x is (N, C, spatial) contiguous, channels split into G groups of C/G; one work item is
// one (n, g) pair, whose C/G·spatial elements are contiguous. Items run in parallel over OpenMP
// threads; every reduction has a fixed order, so results do not depend on the thread count.
//
// Every kernel carries an activation epilogue act (identity for the plain GroupNorm): the forward
// writes y = act(z) with z = x̂·γ + β, and the backward takes dy through act′(z) in registers before
// GroupNorm's own backward. act is an expression (framework/kernels/group_norm-inl.h); the table of one
// act's kernels is a GroupNormKernels, made by the macros of group_norm_epilogue.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "framework/kernels/norm_kernels.h"

namespace lucid::kernels {

template <typename T>
struct GroupNormForwardArgs {
  const T* x;
  const T* gamma;  // (C,) or nullptr (no affine)
  const T* beta;   // (C,) or nullptr
  T* y;
  double* center;       // (N, G) out: the mean μ rounded to T
  double* mean_offset;  // (N, G) out: μ − center (μ = center + mean_offset, to float64 precision of each)
  double* rstd;         // (N, G) out: 1/√(σ² + eps)
  std::size_t batch, channels, groups, spatial;
  double eps;
  const T* activation_scalars;  // the epilogue's scalars (e.g. swish's β); nullptr when it has none
  // MaxPool2d(2) after the activation (pooled not null; spatial = height·width): y is not written; each
  // channel's height × width plane of act(z) is max-pooled over 2×2 windows (max_pool_2x2.h) into pooled
  // (N, C, height/2, width/2), each window's argmax (its flat index in the plane) into argmax.
  T* pooled = nullptr;
  std::int32_t* argmax = nullptr;
  std::size_t height = 0, width = 0;
};

template <typename T>
struct GroupNormBackwardArgs {
  const T* dy;
  const T* x;
  const T* gamma;  // (C,) or nullptr
  const T* beta;   // (C,) or nullptr; read only by an epilogue other than the identity
  const double* center;  // the forward's statistics
  const double* mean_offset;
  const double* rstd;
  T* dx;                // nullptr: x needs no gradient
  double* sum_dy;       // (N, C) out: Σ_spatial g, g = dy·act′(z)
  double* sum_dy_xhat;  // (N, C) out: Σ_spatial g·(x − μ)·rstd
  std::size_t batch, channels, groups, spatial;
  const T* activation_scalars;
  // The forward pooled (pooled_dy not null; dy unused): dy is pooled_dy (N, C, height/2, width/2) at each
  // window's argmax and 0 elsewhere, expanded item by item into a cache-sized buffer.
  const T* pooled_dy = nullptr;
  const std::int32_t* argmax = nullptr;
  std::size_t height = 0, width = 0;
};

// The kernels of GroupNorm followed by one activation epilogue; a work item is one (n, g) pair.
using GroupNormKernels = NormKernels<GroupNormForwardArgs, GroupNormBackwardArgs>;

// Per item: μ and σ² from sums of (x − s) and (x − s)² in one pass, s a shift near the group's mean
// (a second pass around the mean found when s was far from it); then, channel by channel while the
// group is in cache, z = (x − m)·rstd·γ_c + (β_c − (μ − m)·rstd·γ_c) with m = μ rounded to T (the
// center), and y = act(z).
void group_norm_forward(const GroupNormKernels& kernels, const GroupNormForwardArgs<float>& args);
void group_norm_forward(const GroupNormKernels& kernels, const GroupNormForwardArgs<double>& args);

// Per item, with g = dy·act′(z) formed in registers: per channel Σg and Σg·(x − m) in one pass; with
// A = Σ_c γ_c Σg, B = Σ_c γ_c Σg(x − μ), M = C/G·spatial: dx = rstd·γ_c·g + c2·(x − m) + c3,
// c2 = −B·rstd³/M, c3 = −c2·(μ − m) − A·rstd/M. dγ_c = Σ_n sum_dy_xhat[n, c] and dβ_c = Σ_n sum_dy[n, c]
// are left to the caller.
void group_norm_backward(const GroupNormKernels& kernels, const GroupNormBackwardArgs<float>& args);
void group_norm_backward(const GroupNormKernels& kernels, const GroupNormBackwardArgs<double>& args);

// lucid's built-in epilogues: the identity (plain GroupNorm) and the activations of nn::Activation,
// each the expression of its elementwise op (framework/kernels/unary_ops.inc).
extern const GroupNormKernels GroupNorm_kernels;  // backward node "GroupNormBackward"
extern const GroupNormKernels GroupNormReLU_kernels;
extern const GroupNormKernels GroupNormSiLU_kernels;  // backward node "GroupNormSiLUBackward"
extern const GroupNormKernels GroupNormGELU_kernels;
extern const GroupNormKernels GroupNormSigmoid_kernels;
extern const GroupNormKernels GroupNormTanh_kernels;

}  // namespace lucid::kernels
