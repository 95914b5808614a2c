// group_norm_with_epilogue<Act>: GroupNorm followed by the activation expression Act as one
// differentiable op, running the kernels of a GroupNormKernels table made from the same Act
// (framework/kernels/group_norm_epilogue.h). lucid's built-in activations go through it
// (functional::group_norm's Activation argument); examples/swish/ fuses a user's activation.
//
// The graph node is record_norm_with_epilogue's (norm_epilogue.h); it also keeps the (N, G) statistics.
//
// Heavy template code: include it only from .cc files that define ops.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "autodiff/node.h"
#include "autodiff/ops/checks.h"
#include "framework/expr/expr.h"
#include "framework/kernels/group_norm.h"
#include "framework/storage.h"
#include "framework/tensor.h"
#include "modules/functional/norm_epilogue.h"

namespace lucid::nn::functional {

namespace detail {

// ValueError unless x is (N, C, *) with C divisible by num_groups, eps ≥ 0 and weight, bias (C,) of
// x's dtype or undefined.
void check_group_norm_arguments(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias,
                                double eps);
// The kernels' MaxPool2d(2) epilogue (framework/kernels/group_norm.h): each window's argmax, (N, C, H/2,
// W/2) int32, kept by the graph node for the backward.
struct MaxPoolArgmax {
  std::shared_ptr<Storage> indices;
  std::size_t height = 0, width = 0;  // of x's planes
};
// Runs the forward kernel; `statistics` becomes the float64 (3, N, G) of the kernels' center,
// mean_offset and rstd (framework/kernels/group_norm.h). With `pool`, x is (N, C, H, W) with H, W ≥ 2:
// returns max_pool2d(act(z), 2) and fills *pool.
Tensor group_norm_kernel_forward(const kernels::GroupNormKernels& kernels, const Tensor& x, std::int64_t num_groups,
                                 const Tensor& weight, const Tensor& bias, double eps,
                                 std::span<const double> activation_scalars, Tensor& statistics,
                                 MaxPoolArgmax* pool = nullptr);
// The gradients (x, weight, bias) that `node` needs, from the fused backward kernel; with `pool`, g is
// the gradient of the pooled output.
autograd::TensorList group_norm_kernel_backward(const kernels::GroupNormKernels& kernels, const Tensor& g,
                                                const Tensor& x, std::int64_t num_groups, const Tensor& weight,
                                                const Tensor& bias, const Tensor& statistics,
                                                std::span<const double> activation_scalars,
                                                const autograd::Node& node, const MaxPoolArgmax* pool = nullptr);
// z = x̂·γ + β with differentiable ops (x̂ normalised per group), in x's shape.
Tensor group_norm_composite(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias,
                            double eps);
// The gradients (x, weight, bias) that `node` needs for the output gradient g_z of z = x̂·γ + β,
// with differentiable ops.
autograd::TensorList group_norm_composite_backward(const Tensor& g_z, const Tensor& x, std::int64_t num_groups,
                                                   const Tensor& weight, double eps, const autograd::Node& node);

}  // namespace detail

// statistics_out, when given, receives the float64 (3, N, G) statistics (center, mean_offset, rstd) of
// framework/kernels/group_norm.h: the batch statistics BatchNorm and InstanceNorm keep running averages of.
template <class Act>
Tensor group_norm_with_epilogue(const kernels::GroupNormKernels& kernels, const Tensor& x_in, std::int64_t num_groups,
                                const Tensor& weight_in, const Tensor& bias_in, double eps,
                                const std::array<double, expr::num_scalars<Act>>& activation_scalars = {},
                                Tensor* statistics_out = nullptr) {
  const Tensor x = ops_detail::row_major(x_in), weight = ops_detail::row_major(weight_in), bias = ops_detail::row_major(bias_in);
  detail::check_group_norm_arguments(x, num_groups, weight, bias, eps);
  Tensor statistics;
  Tensor y = detail::group_norm_kernel_forward(kernels, x, num_groups, weight, bias, eps, activation_scalars, statistics);
  detail::record_norm_with_epilogue<Act>(
      kernels.backward_name, y, x, weight, bias, activation_scalars,
      [&kernels, num_groups, statistics, activation_scalars](const Tensor& g, const Tensor& input, const Tensor& gamma,
                                                             const Tensor& beta, const autograd::Node& node) {
        return detail::group_norm_kernel_backward(kernels, g, input, num_groups, gamma, beta, statistics,
                                                  activation_scalars, node);
      },
      [num_groups, eps](const Tensor& input, const Tensor& gamma, const Tensor& beta) {
        return detail::group_norm_composite(input, num_groups, gamma, beta, eps);
      },
      [num_groups, eps](const Tensor& g_z, const Tensor& input, const Tensor& gamma, const autograd::Node& node) {
        return detail::group_norm_composite_backward(g_z, input, num_groups, gamma, eps, node);
      });
  if (statistics_out != nullptr) *statistics_out = statistics;
  return y;
}

}  // namespace lucid::nn::functional
