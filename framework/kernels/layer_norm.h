// LayerNorm's fused kernels on raw buffers (no autograd; modules/functional/layer_norm.cc records the
// graph). x is (rows, cols) contiguous: every row is normalised over its cols elements, then mapped
// by the per-element weight γ and bias β (streams of cols values). Rows run in parallel over OpenMP
// threads; every reduction has a fixed order, so results do not depend on the thread count.
//
// Every kernel carries an activation epilogue act (the identity for the plain LayerNorm), as
// GroupNorm's do (group_norm.h): y = act(z), z = x̂·γ + β; the backward takes dy through act′(z).
#pragma once

#include <cstddef>

#include "framework/kernels/norm_kernels.h"

namespace lucid::kernels {

// The backward's work item: a block of this many rows, whose contributions to dγ and dβ are summed in
// T into one partial row; the partials are then added in float64, block after block, so the order of
// every addition depends on the shape alone.
inline constexpr std::size_t kLayerNormRowBlock = 32;

template <typename T>
struct LayerNormForwardArgs {
  const T* x;
  const T* gamma;  // (cols,): ones when there is no weight
  const T* beta;   // (cols,): zeros when there is no bias
  T* y;
  double* center;       // (rows,) out: the mean μ rounded to T
  double* mean_offset;  // (rows,) out: μ − center
  double* rstd;         // (rows,) out: 1/√(σ² + eps)
  std::size_t rows, cols;
  double eps;
  const T* activation_scalars;  // the epilogue's scalars; nullptr when it has none
};

template <typename T>
struct LayerNormBackwardArgs {
  const T* dy;
  const T* x;
  const T* gamma;  // (cols,)
  const T* beta;   // (cols,); read only by an epilogue other than the identity
  const double* center;  // the forward's statistics
  const double* mean_offset;
  const double* rstd;
  T* dx;              // nullptr: x needs no gradient
  double* dgamma;     // (cols,) out: Σ_rows g·x̂, g = dy·act′(z); nullptr: not needed
  double* dbeta;      // (cols,) out: Σ_rows g; nullptr: not needed (always, for RMSNorm)
  T* column_partials;  // scratch of layer_norm_backward: (2, row blocks, cols)
  std::size_t rows, cols;
  const T* activation_scalars;
};

// The kernels of LayerNorm followed by one activation epilogue; a forward work item is a row, a
// backward one a block of kLayerNormRowBlock rows.
using LayerNormKernels = NormKernels<LayerNormForwardArgs, LayerNormBackwardArgs>;

// Per row: μ and σ² by GroupNorm's robust statistics (norm_statistics-inl.h), rstd = 1/√(σ² + eps);
// then z = ((x − m)·rstd − o)·γ + β with m = μ rounded to T (the center) and o = (μ − m)·rstd, and
// y = act(z).
void layer_norm_forward(const LayerNormKernels& kernels, const LayerNormForwardArgs<float>& args);
void layer_norm_forward(const LayerNormKernels& kernels, const LayerNormForwardArgs<double>& args);

// Per row, with g = dy·act′(z) formed in registers: A = Σ g·γ and B = Σ g·γ·(x − μ) in one pass;
// dx = rstd·γ·g + c2·(x − m) + c3 with c2 = −B·rstd³/cols, c3 = −c2·(μ − m) − A·rstd/cols; and the
// row's g·x̂ and g added into its block's partial dγ and dβ. Then dγ, dβ = the blocks' partials summed
// in block order.
void layer_norm_backward(const LayerNormKernels& kernels, const LayerNormBackwardArgs<float>& args);
void layer_norm_backward(const LayerNormKernels& kernels, const LayerNormBackwardArgs<double>& args);

// RMSNorm runs the same kernels without the centering and the bias: m = o = 0 and
// rstd = 1/√(mean(x²) + eps), z = x·rstd·γ; dx = rstd·γ·g + c2·x (c3 = 0); dβ is not formed.

// lucid's built-in epilogues, as GroupNorm's (group_norm.h).
extern const LayerNormKernels LayerNorm_kernels;  // backward node "LayerNormBackward"
extern const LayerNormKernels LayerNormReLU_kernels;
extern const LayerNormKernels LayerNormSiLU_kernels;  // backward node "LayerNormSiLUBackward"
extern const LayerNormKernels LayerNormGELU_kernels;
extern const LayerNormKernels LayerNormSigmoid_kernels;
extern const LayerNormKernels LayerNormTanh_kernels;
extern const LayerNormKernels RMSNorm_kernels;  // backward node "RMSNormBackward"
extern const LayerNormKernels RMSNormReLU_kernels;
extern const LayerNormKernels RMSNormSiLU_kernels;
extern const LayerNormKernels RMSNormGELU_kernels;
extern const LayerNormKernels RMSNormSigmoid_kernels;
extern const LayerNormKernels RMSNormTanh_kernels;

}  // namespace lucid::kernels
