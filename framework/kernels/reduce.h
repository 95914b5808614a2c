// Sum reduction over chosen dimensions (no autograd).
#pragma once

#include <vector>

#include "framework/tensor.h"

namespace lucid::kernels {

// out = Σ over the dimensions d with reduce[d] of x; out keeps those dimensions with size 1.
// float32 sums accumulate in float64, so the result is the correctly rounded sum in practice.
Tensor sum_keepdim(const Tensor& x, const std::vector<bool>& reduce);

}  // namespace lucid::kernels
