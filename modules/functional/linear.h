// Affine map over the last dimension: y = x·Wᵀ + b.
#pragma once

#include "framework/tensor.h"

namespace lucid::nn::functional {

// x (*, in_features), weight (out_features, in_features), bias (out_features,) or undefined.
// Built from mm (x·Wᵀ, the transpose left to the GEMM) and add, so it is differentiable to any order.
// ValueError on mismatch.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

}  // namespace lucid::nn::functional
