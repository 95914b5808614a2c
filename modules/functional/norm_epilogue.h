// record_norm_with_epilogue<Act>: the graph node shared by the normalisation layers fused with an
// activation expression Act (group_norm_with_epilogue, layer_norm_with_epilogue). The node keeps x (a
// SavedTensor, version-checked), weight and, when Act is not the identity, bias; its backward runs the
// layer's fused kernel, or under create_graph the layer's formulas written with differentiable ops:
// act′(z) from Act's compile-time derivative, evaluated on z = x̂·γ + β, then the layer's backward.
//
// with_builtin_epilogue maps nn::Activation to its expression and a layer's table of kernels for it.
//
// Heavy template code: include it only from .cc files that define ops.
#pragma once

#include <array>
#include <type_traits>

#include "autodiff/fused_op.h"
#include "autodiff/grad_mode.h"
#include "autodiff/node.h"
#include "autodiff/saved_tensor.h"
#include "framework/expr/derivative.h"
#include "framework/kernels/elementwise_exprs.h"
#include "framework/tensor.h"
#include "modules/fused_activation.h"

namespace lucid::nn::functional::detail {

// kernel_backward(g, x, weight, bias, node) → the gradients (x, weight, bias) `node` needs, from the
// fused kernel; composite(x, weight, bias) → z with differentiable ops; composite_backward(g_z, x,
// weight, node) → the gradients for the output gradient g_z of z, with differentiable ops.
template <class Act, class KernelBackward, class Composite, class CompositeBackward>
void record_norm_with_epilogue(const char* backward_name, Tensor& y, const Tensor& x, const Tensor& weight,
                               const Tensor& bias, const std::array<double, expr::num_scalars<Act>>& activation_scalars,
                               KernelBackward kernel_backward, Composite composite,
                               CompositeBackward composite_backward) {
  constexpr bool identity = std::is_same_v<Act, expr::Stream<0>>;
  autograd::record(
      backward_name, y, {&x, &weight, &bias},
      [saved_x = autograd::SavedTensor(x), saved_weight = autograd::SavedTensor(weight),
       saved_bias = autograd::SavedTensor(identity ? Tensor() : bias), activation_scalars, kernel_backward, composite,
       composite_backward](const Tensor& g, autograd::Node& node) {
        const Tensor& input = saved_x.unpack(node);
        const Tensor& gamma = saved_weight.unpack(node);
        const Tensor& beta = saved_bias.unpack(node);
        if (!autograd::is_grad_enabled()) return kernel_backward(g, input, gamma, beta, node);
        if constexpr (identity) {
          return composite_backward(g, input, gamma, node);
        } else {  // g_z = g·act′(z)
          using Derivative = decltype(expr::d(Act{}, expr::stream<0>));
          const std::array<Tensor, 1> z{composite(input, gamma, beta)};
          const Tensor act_derivative = autograd::fused_detail::TensorEvaluator<1, expr::num_scalars<Act>>{
              z, activation_scalars, input.dtype()}(Derivative{});
          return composite_backward(g * act_derivative, input, gamma, node);
        }
      });
}

// A layer's kernel tables for the identity and nn::Activation's activations.
template <class Kernels>
struct BuiltinEpilogues {
  const Kernels& none;
  const Kernels& relu;
  const Kernels& silu;
  const Kernels& gelu;
  const Kernels& sigmoid;
  const Kernels& tanh;
};

// fn(Act{}, table) for the activation's expression Act and its table.
template <class Kernels, class Fn>
Tensor with_builtin_epilogue(Activation activation, const BuiltinEpilogues<Kernels>& tables, Fn&& fn) {
  namespace ex = kernels::exprs;
  switch (activation) {
    case Activation::relu: return fn(ex::Relu{}, tables.relu);
    case Activation::silu: return fn(ex::Silu{}, tables.silu);
    case Activation::gelu: return fn(ex::Gelu{}, tables.gelu);
    case Activation::sigmoid: return fn(ex::Sigmoid{}, tables.sigmoid);
    case Activation::tanh: return fn(ex::Tanh{}, tables.tanh);
    case Activation::none: break;
  }
  return fn(expr::Stream<0>{}, tables.none);
}

}  // namespace lucid::nn::functional::detail
