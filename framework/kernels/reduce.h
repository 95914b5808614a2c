// Sum reduction over chosen dimensions (no autograd).
#pragma once

#include <vector>

#include "framework/tensor.h"

namespace lucid::kernels {

// out = Σ over the dimensions d with reduce[d] of x; out keeps those dimensions with size 1.
// A sum over every element is one fused SIMD pass (sum_all); partial sums accumulate in float64.
Tensor sum_keepdim(const Tensor& x, const std::vector<bool>& reduce);

// Σ x[i] for i < n in one SIMD pass: per-lane blocks in the input's type, block totals in double
// (reduce_kernels.cc); deterministic for a given n.
double sum_all(const float* x, std::size_t n);
double sum_all(const double* x, std::size_t n);

}  // namespace lucid::kernels
