// GroupNorm's fused kernels on raw buffers (no autograd; modules/functional/group_norm.cc records
// the graph). x is (N, C, spatial) contiguous, channels split into G groups of C/G; one work item is
// one (n, g) pair, whose C/G·spatial elements are contiguous. Items run in parallel over OpenMP
// threads; every reduction has a fixed order, so results do not depend on the thread count.
#pragma once

#include <cstddef>

namespace lucid::kernels {

template <typename T>
struct GroupNormForwardArgs {
  const T* x;
  const T* gamma;  // (C,) or nullptr (no affine)
  const T* beta;   // (C,) or nullptr
  T* y;
  double* mean;  // (N, G) out
  double* rstd;  // (N, G) out: 1/√(σ² + eps)
  std::size_t batch, channels, groups, spatial;
  double eps;
};

template <typename T>
struct GroupNormBackwardArgs {
  const T* dy;
  const T* x;
  const T* gamma;  // (C,) or nullptr
  const double* mean;
  const double* rstd;
  T* dx;                 // nullptr: x needs no gradient
  double* sum_dy;        // (N, C) out: Σ_spatial dy
  double* sum_dy_xhat;   // (N, C) out: Σ_spatial dy·(x − μ)·rstd
  std::size_t batch, channels, groups, spatial;
};

// Per item: μ, σ² from one pass of shifted sums (s = the group's first element: Σ(x−s), Σ(x−s)²),
// then, channel by channel while the group is in cache, y = (x − s)·rstd·γ_c + (β_c − (μ − s)·rstd·γ_c).
void group_norm_forward(const GroupNormForwardArgs<float>& args);
void group_norm_forward(const GroupNormForwardArgs<double>& args);

// Per item: per channel Σdy and Σdy·(x − μ) in one pass; with A = Σ_c γ_c Σdy, B = Σ_c γ_c Σdy(x − μ),
// M = C/G·spatial: dx = rstd·γ_c·dy + c2·(x − s) + c3, c2 = −B·rstd³/M, c3 = −c2·(μ − s) − A·rstd/M.
// dγ_c = Σ_n sum_dy_xhat[n, c] and dβ_c = Σ_n sum_dy[n, c] are left to the caller.
void group_norm_backward(const GroupNormBackwardArgs<float>& args);
void group_norm_backward(const GroupNormBackwardArgs<double>& args);

}  // namespace lucid::kernels
