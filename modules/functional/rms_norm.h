// Functional root-mean-square normalisation (see modules/rms_norm.h for the formula), optionally
// followed by an activation fused into the same kernels (modules/fused_activation.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "framework/tensor.h"
#include "modules/fused_activation.h"

namespace lucid::nn::functional {

// x: (*, normalized_shape); weight: of shape normalized_shape and x's dtype, or undefined (no scale).
// eps ≥ 0, or unset: the machine epsilon of x's dtype (PyTorch 2.4's torch.finfo(x.dtype).eps).
// Returns activation(rms_norm(x)) from one kernel. Differentiable in x and weight, to any order.
// Throws ValueError naming the offending values otherwise.
Tensor rms_norm(const Tensor& x, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight = {},
                std::optional<double> eps = std::nullopt, Activation activation = Activation::none);

}  // namespace lucid::nn::functional
