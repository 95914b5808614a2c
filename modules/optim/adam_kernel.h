// The Adam / AdamW update on raw buffers, compiled per SIMD target (adam_kernel.cc) and dispatched to
// the best one at run time. Adam and AdamW share it: Adam passes shrink = 1, AdamW passes l2 = 0.
#pragma once

#include <cstddef>

namespace lucid::optim::kernels {

template <typename T>
struct AdamArgs {
  T* param;
  const T* grad;
  T* exp_avg;     // m
  T* exp_avg_sq;  // v
  std::size_t n;
  T beta1, one_minus_beta1, beta2, one_minus_beta2;
  T step_size;              // lr / (1 − β₁ᵗ)
  T bias_correction2_sqrt;  // √(1 − β₂ᵗ)
  T eps;
  T l2;      // Adam's weight decay, added to the gradient (0 for AdamW)
  T shrink;  // AdamW's decay factor 1 − lr·weight_decay (1 for Adam)
};

// Per element, in PyTorch's order of operations:
//   p ← p·shrink,  g ← g + l2·p,  m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g·g,
//   p ← p − step_size·m / (√v / √(1 − β₂ᵗ) + eps)
void adam_update(const AdamArgs<float>& args);
void adam_update(const AdamArgs<double>& args);

}  // namespace lucid::optim::kernels
