// Reductions over chosen dimensions (no autograd): sum, max, min, product.
#pragma once

#include <vector>

#include "framework/tensor.h"

namespace lucid::kernels {

// out = Σ over the dimensions d with reduce[d] of x; out keeps those dimensions with size 1.
// A sum over every element is one fused SIMD pass (sum_all); partial sums accumulate in float64.
Tensor sum_keepdim(const Tensor& x, const std::vector<bool>& reduce);

// The largest (largest = true) or smallest element over the dimensions d with reduce[d], NaN where the
// slice holds a NaN (PyTorch's amax/amin); out keeps the reduced dimensions with size 1. The reduced
// dimensions must not be empty (the caller checks).
Tensor extreme_keepdim(const Tensor& x, const std::vector<bool>& reduce, bool largest);
// Π over the dimensions d with reduce[d], in x's dtype (1 for an empty slice); out keeps them with size 1.
Tensor prod_keepdim(const Tensor& x, const std::vector<bool>& reduce);

// Σ x[i] for i < n in one SIMD pass: per-lane blocks in the input's type, block totals in double
// (reduce_kernels.cc); deterministic for a given n.
double sum_all(const float* x, std::size_t n);
double sum_all(const double* x, std::size_t n);

}  // namespace lucid::kernels
