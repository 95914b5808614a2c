// Functional layer normalisation (see modules/layer_norm.h for the formula), optionally followed by
// an activation fused into the same kernels (modules/fused_activation.h).
#pragma once

#include <cstdint>
#include <vector>

#include "framework/tensor.h"
#include "modules/fused_activation.h"

namespace lucid::nn::functional {

// x: (*, normalized_shape); weight and bias: of shape normalized_shape and x's dtype, or undefined
// (then no scale, no shift). eps ≥ 0. Returns activation(layer_norm(x)), from one kernel with
// Activation::silu etc. (the values of lucid::silu(layer_norm(x, ...)) to float rounding).
// Differentiable in x, weight and bias, to any order. Throws ValueError naming the offending values
// otherwise.
Tensor layer_norm(const Tensor& x, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5, Activation activation = Activation::none);

namespace detail {

// The configuration checks nn::LayerNorm runs at construction and layer_norm at each call, prefixed by
// `op`: ValueError "<op>: normalized_shape must have at least one dimension, got ()",
// "normalized_shape (768, 0) must have positive sizes", "eps (-1e-05) must be non-negative".
void check_layer_norm_config(const char* op, const std::vector<std::int64_t>& normalized_shape, double eps);

}  // namespace detail

}  // namespace lucid::nn::functional
