// layer_norm_with_epilogue<Act>: LayerNorm followed by the activation expression Act as one
// differentiable op, running the kernels of a LayerNormKernels table made from the same Act
// (framework/kernels/layer_norm_epilogue.h); functional::layer_norm's Activation argument goes through
// it. The graph node is record_norm_with_epilogue's (norm_epilogue.h); it also keeps the per-row
// statistics.
//
// Heavy template code: include it only from .cc files that define ops.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "autodiff/node.h"
#include "autodiff/ops/checks.h"
#include "framework/expr/expr.h"
#include "framework/kernels/layer_norm.h"
#include "framework/tensor.h"
#include "modules/functional/norm_epilogue.h"

namespace lucid::nn::functional {

namespace detail {

// ValueError unless x is (*, normalized_shape), normalized_shape has positive sizes, eps ≥ 0 and weight,
// bias are of shape normalized_shape and x's dtype, or undefined; messages prefixed "<op>: ".
void check_layer_norm_arguments(const Tensor& x, const std::vector<std::int64_t>& normalized_shape,
                                const Tensor& weight, const Tensor& bias, double eps, const char* op);
// Runs the forward kernel of a LayerNorm or RMSNorm table; `statistics` becomes the float64 (3, rows) of the kernels' center,
// mean_offset and rstd (framework/kernels/layer_norm.h).
Tensor layer_norm_kernel_forward(const kernels::LayerNormKernels& kernels, const Tensor& x,
                                 const std::vector<std::int64_t>& normalized_shape, const Tensor& weight,
                                 const Tensor& bias, double eps, std::span<const double> activation_scalars,
                                 Tensor& statistics);
// The gradients (x, weight, bias) that `node` needs, from the fused backward kernel.
autograd::TensorList layer_norm_kernel_backward(const kernels::LayerNormKernels& kernels, const Tensor& g,
                                                const Tensor& x, const std::vector<std::int64_t>& normalized_shape,
                                                const Tensor& weight, const Tensor& bias, const Tensor& statistics,
                                                std::span<const double> activation_scalars,
                                                const autograd::Node& node);
// z = x̂·γ + β with differentiable ops, in x's shape.
Tensor layer_norm_composite(const Tensor& x, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight,
                            const Tensor& bias, double eps);
// The gradients (x, weight, bias) that `node` needs for the output gradient g_z of z, with
// differentiable ops.
autograd::TensorList layer_norm_composite_backward(const Tensor& g_z, const Tensor& x,
                                                   const std::vector<std::int64_t>& normalized_shape,
                                                   const Tensor& weight, double eps, const autograd::Node& node);

}  // namespace detail

template <class Act>
Tensor layer_norm_with_epilogue(const kernels::LayerNormKernels& kernels, const Tensor& x_in,
                                const std::vector<std::int64_t>& normalized_shape, const Tensor& weight_in,
                                const Tensor& bias_in, double eps,
                                const std::array<double, expr::num_scalars<Act>>& activation_scalars = {}) {
  const Tensor x = ops_detail::row_major(x_in), weight = ops_detail::row_major(weight_in), bias = ops_detail::row_major(bias_in);
  detail::check_layer_norm_arguments(x, normalized_shape, weight, bias, eps, "layer_norm");
  Tensor statistics;
  Tensor y = detail::layer_norm_kernel_forward(kernels, x, normalized_shape, weight, bias, eps, activation_scalars,
                                               statistics);
  detail::record_norm_with_epilogue<Act>(
      kernels.backward_name, y, x, weight, bias, activation_scalars,
      [&kernels, normalized_shape, statistics, activation_scalars](const Tensor& g, const Tensor& input,
                                                                   const Tensor& gamma, const Tensor& beta,
                                                                   const autograd::Node& node) {
        return detail::layer_norm_kernel_backward(kernels, g, input, normalized_shape, gamma, beta, statistics,
                                                  activation_scalars, node);
      },
      [normalized_shape, eps](const Tensor& input, const Tensor& gamma, const Tensor& beta) {
        return detail::layer_norm_composite(input, normalized_shape, gamma, beta, eps);
      },
      [normalized_shape, eps](const Tensor& g_z, const Tensor& input, const Tensor& gamma, const autograd::Node& node) {
        return detail::layer_norm_composite_backward(g_z, input, normalized_shape, gamma, eps, node);
      });
  return y;
}

}  // namespace lucid::nn::functional
