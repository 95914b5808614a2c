// Functional group normalisation (see modules/group_norm.h for the formula).
#pragma once

#include <cstdint>

#include "framework/tensor.h"

namespace lucid::nn::functional {

// x: (N, C, *), C divisible by num_groups; weight and bias: (C,) of x's dtype, or undefined (then
// no affine map). eps ≥ 0. Differentiable in x, weight and bias, to any order. Throws ValueError
// naming the offending values otherwise.
Tensor group_norm(const Tensor& x, std::int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

}  // namespace lucid::nn::functional
