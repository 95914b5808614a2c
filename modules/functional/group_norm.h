// Functional group normalisation (see modules/group_norm.h for the formula), optionally followed by
// an activation fused into the same kernels (modules/fused_activation.h).
#pragma once

#include <cstdint>
#include <vector>

#include "framework/tensor.h"
#include "modules/fused_activation.h"

namespace lucid::nn::functional {

// x: (N, C, *), C divisible by num_groups; weight and bias: (C,) of x's dtype, or undefined (then
// no affine map). eps ≥ 0. Returns activation(group_norm(x)): with Activation::silu the same values
// as lucid::silu(group_norm(x, ...)) to float rounding, from one kernel that keeps no intermediate
// alive for the backward; Activation::none is the plain group_norm. Differentiable in x, weight and
// bias, to any order. Throws ValueError naming the offending values otherwise.
Tensor group_norm(const Tensor& x, std::int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5, Activation activation = Activation::none);

namespace detail {

// The configuration checks nn::GroupNorm runs at construction and group_norm at each call (with the
// input's channel count), one set of messages prefixed by `op`: ValueError "<op>: num_groups (0) must
// be positive", "num_channels (0) must be positive", "num_channels (30) must be divisible by
// num_groups (8)", "eps (-1e-05) must be non-negative" (eps as Python prints it; NaN is rejected).
void check_group_norm_config(const char* op, std::int64_t num_groups, std::int64_t num_channels, double eps);

// Shape (1, C, 1, ..., 1) of a per-channel tensor broadcast against x (N, C, *).
std::vector<std::int64_t> channel_view(const Tensor& x);

// group_norm that also returns its float64 (3, N, G) statistics: center, mean_offset (μ = center +
// mean_offset) and rstd = 1/√(σ² + eps), σ² biased (framework/kernels/group_norm.h).
Tensor group_norm(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps,
                  Activation activation, Tensor& statistics);

// max_pool2d(group_norm(x, ..., activation), 2) for x (N, C, H, W), H and W ≥ 2, in one pass: the
// kernels pool each item's act(z) while it is in cache, so act(z) is never written out, and the
// backward expands the pooled gradient the same way. The same values as the two calls, bit for bit
// (one kernel, one pooling rule). Differentiable once in x, weight and bias (max_pool2d has no
// double backward either: create_graph raises the same RuntimeError). Sequential runs GroupNorm, an
// activation and MaxPool2d(2) through it (modules/epilogue_fusion.h).
Tensor group_norm_max_pool2d(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias,
                             double eps, Activation activation);

}  // namespace detail

}  // namespace lucid::nn::functional
