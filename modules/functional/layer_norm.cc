// layer_norm: argument checks, the fused kernels' forward and backward for layer_norm_with_epilogue
// (modules/functional/layer_norm_epilogue.h), and the dispatch of nn::Activation to the built-in
// epilogues. Under create_graph the backward is GroupNorm's composite with one group over the rows
// viewed as (rows, cols): its per-channel weight is then LayerNorm's per-element weight.
#include "modules/functional/layer_norm.h"

#include <algorithm>
#include <string>
#include <vector>

#include "modules/functional/format.h"
#include "modules/functional/group_norm_epilogue.h"
#include "modules/functional/layer_norm_epilogue.h"

namespace lucid::nn::functional {
namespace {

std::size_t numel_of(const std::vector<std::int64_t>& sizes) {
  std::size_t n = 1;
  for (const std::int64_t s : sizes) n *= static_cast<std::size_t>(s);
  return n;
}

template <typename T>
const T* data_or(const Tensor& t, const std::vector<T>& fallback) {
  return t.defined() ? t.data<T>() : fallback.data();
}

// x, weight or bias, with x as (rows, cols).
Tensor as_rows(const Tensor& t, std::int64_t cols) { return t.defined() ? t.reshape({-1, cols}) : t; }
Tensor as_row(const Tensor& t, std::int64_t cols) { return t.defined() ? t.reshape({cols}) : t; }

}  // namespace

namespace detail {

void check_layer_norm_config(const char* op, const std::vector<std::int64_t>& normalized_shape, double eps) {
  const std::string prefix = std::string(op) + ": ";
  if (normalized_shape.empty()) throw ValueError(prefix + "normalized_shape must have at least one dimension, got ()");
  if (std::any_of(normalized_shape.begin(), normalized_shape.end(), [](std::int64_t s) { return s <= 0; })) {
    throw ValueError(prefix + "normalized_shape " + python_tuple(normalized_shape) + " must have positive sizes");
  }
  if (!(eps >= 0.0)) throw ValueError(prefix + "eps (" + python_float(eps) + ") must be non-negative");  // also NaN
}

void check_layer_norm_arguments(const Tensor& x, const std::vector<std::int64_t>& normalized_shape,
                                const Tensor& weight, const Tensor& bias, double eps, const char* op) {
  const std::string prefix = std::string(op) + ": ";
  check_layer_norm_config(op, normalized_shape, eps);
  const auto trailing = static_cast<std::int64_t>(normalized_shape.size());
  const bool matches = x.dim() >= trailing && std::equal(normalized_shape.begin(), normalized_shape.end(),
                                                         x.shape().end() - trailing);
  if (!matches) {
    const std::string shape = python_tuple(normalized_shape);
    throw ValueError(prefix + "normalized_shape " + shape + " expects an input of shape (*, " +
                     shape.substr(1, shape.size() - 2 - (normalized_shape.size() == 1)) + "), got shape " +
                     x.shape().str());
  }
  auto check_affine = [&](const Tensor& t, const char* name) {
    if (!t.defined()) return;
    if (t.shape() != Shape(normalized_shape)) {
      throw ValueError(prefix + name + " of shape " + t.shape().str() +
                       " does not match normalized_shape " + python_tuple(normalized_shape));
    }
    if (t.dtype() != x.dtype()) {
      throw ValueError(prefix + name + " has dtype " + std::string(dtype_name(t.dtype())) +
                       " but the input has dtype " + std::string(dtype_name(x.dtype())));
    }
  };
  check_affine(weight, "weight");
  check_affine(bias, "bias");
}

Tensor layer_norm_kernel_forward(const kernels::LayerNormKernels& kernels, const Tensor& x,
                                 const std::vector<std::int64_t>& normalized_shape, const Tensor& weight,
                                 const Tensor& bias, double eps, std::span<const double> activation_scalars,
                                 Tensor& statistics) {
  const std::size_t cols = numel_of(normalized_shape), rows = static_cast<std::size_t>(x.numel()) / cols;
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  statistics = Tensor::empty({3, static_cast<std::int64_t>(rows)}, float64);
  double* const stats = statistics.data<double>();
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> scalars(activation_scalars.begin(), activation_scalars.end());
    const std::vector<T> ones(weight.defined() ? 0 : cols, T(1)), zeros(bias.defined() ? 0 : cols, T(0));
    kernels::layer_norm_forward(kernels, kernels::LayerNormForwardArgs<T>{
                                             x.data<T>(), data_or(weight, ones), data_or(bias, zeros), y.data<T>(),
                                             stats, stats + rows, stats + 2 * rows, rows, cols, eps, scalars.data()});
  });
  return y;
}

autograd::TensorList layer_norm_kernel_backward(const kernels::LayerNormKernels& kernels, const Tensor& g,
                                                const Tensor& x, const std::vector<std::int64_t>& normalized_shape,
                                                const Tensor& weight, const Tensor& bias, const Tensor& statistics,
                                                std::span<const double> activation_scalars,
                                                const autograd::Node& node) {
  const std::size_t cols = numel_of(normalized_shape), rows = static_cast<std::size_t>(x.numel()) / cols;
  Tensor dx = node.needs_input_grad(0) ? Tensor::empty(x.shape(), x.dtype()) : Tensor();
  std::vector<double> dgamma(node.needs_input_grad(1) ? cols : 0), dbeta(node.needs_input_grad(2) ? cols : 0);
  const double* const stats = statistics.data<double>();
  autograd::TensorList grads{dx, Tensor(), Tensor()};
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> scalars(activation_scalars.begin(), activation_scalars.end());
    const std::vector<T> ones(weight.defined() ? 0 : cols, T(1)), zeros(bias.defined() ? 0 : cols, T(0));
    kernels::layer_norm_backward(
        kernels, kernels::LayerNormBackwardArgs<T>{g.data<T>(), x.data<T>(), data_or(weight, ones), data_or(bias, zeros),
                                                   stats, stats + rows, stats + 2 * rows, dx.defined() ? dx.data<T>() : nullptr,
                                                   dgamma.empty() ? nullptr : dgamma.data(),
                                                   dbeta.empty() ? nullptr : dbeta.data(), nullptr, rows, cols,
                                                   scalars.data()});
    auto as_tensor = [&](const std::vector<double>& values) {
      Tensor out = Tensor::empty(Shape(normalized_shape), x.dtype());
      std::copy(values.begin(), values.end(), out.data<T>());
      return out;
    };
    if (node.needs_input_grad(1)) grads[1] = as_tensor(dgamma);
    if (node.needs_input_grad(2)) grads[2] = as_tensor(dbeta);
  });
  return grads;
}

Tensor layer_norm_composite(const Tensor& x, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight,
                            const Tensor& bias, double eps) {
  const auto cols = static_cast<std::int64_t>(numel_of(normalized_shape));
  return group_norm_composite(as_rows(x, cols), 1, as_row(weight, cols), as_row(bias, cols), eps).reshape(x.shape());
}

autograd::TensorList layer_norm_composite_backward(const Tensor& g_z, const Tensor& x,
                                                   const std::vector<std::int64_t>& normalized_shape,
                                                   const Tensor& weight, double eps, const autograd::Node& node) {
  const auto cols = static_cast<std::int64_t>(numel_of(normalized_shape));
  autograd::TensorList grads =
      group_norm_composite_backward(as_rows(g_z, cols), as_rows(x, cols), 1, as_row(weight, cols), eps, node);
  if (grads[0].defined()) grads[0] = grads[0].reshape(x.shape());
  for (std::size_t i : {1, 2}) {
    if (grads[i].defined()) grads[i] = grads[i].reshape(normalized_shape);
  }
  return grads;
}

}  // namespace detail

Tensor layer_norm(const Tensor& x, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps, Activation activation) {
  static const detail::BuiltinEpilogues<kernels::LayerNormKernels> tables{
      kernels::LayerNorm_kernels,     kernels::LayerNormReLU_kernels,    kernels::LayerNormSiLU_kernels,
      kernels::LayerNormGELU_kernels, kernels::LayerNormSigmoid_kernels, kernels::LayerNormTanh_kernels};
  return detail::with_builtin_epilogue(activation, tables, [&]<class Act>(Act, const kernels::LayerNormKernels& k) {
    return layer_norm_with_epilogue<Act>(k, x, normalized_shape, weight, bias, eps);
  });
}

}  // namespace lucid::nn::functional
