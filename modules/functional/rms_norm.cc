// rms_norm: LayerNorm's checks and kernel calls (layer_norm_epilogue.h) with RMSNorm's kernel tables,
// which skip the centering and the bias, and RMSNorm's own composite for create_graph.
#include "modules/functional/rms_norm.h"

#include <limits>
#include <vector>

#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "modules/functional/layer_norm_epilogue.h"

namespace lucid::nn::functional {
namespace {

std::vector<std::int64_t> trailing_dims(const Tensor& x, std::size_t count) {
  std::vector<std::int64_t> dims;
  for (auto d = static_cast<std::int64_t>(x.dim() - static_cast<std::int64_t>(count)); d < x.dim(); ++d) {
    dims.push_back(d);
  }
  return dims;
}

// x̂ = x·rsqrt(mean(x²) + eps) over the trailing dims, and the rsqrt, with differentiable ops.
struct RmsNormalized {
  Tensor xhat, rstd;
};
RmsNormalized rms_normalize(const Tensor& x, std::size_t normalized_dims, double eps) {
  const Tensor rstd = rsqrt((x * x).mean(trailing_dims(x, normalized_dims), true) + eps);
  return {x * rstd, rstd};
}

Tensor rms_norm_composite(const Tensor& x, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight,
                          double eps) {
  const Tensor xhat = rms_normalize(x, normalized_shape.size(), eps).xhat;
  return weight.defined() ? xhat * weight : xhat;
}

// With d = g_z·γ: dx = rstd·(d − x̂·mean(d·x̂)), dγ = Σ_rows g_z·x̂.
autograd::TensorList rms_norm_composite_backward(const Tensor& g_z, const Tensor& x,
                                                 const std::vector<std::int64_t>& normalized_shape,
                                                 const Tensor& weight, double eps, const autograd::Node& node) {
  const auto [xhat, rstd] = rms_normalize(x, normalized_shape.size(), eps);
  const std::vector<std::int64_t> row_dims = trailing_dims(x, normalized_shape.size());
  autograd::TensorList grads(3);
  if (node.needs_input_grad(0)) {
    const Tensor d = weight.defined() ? g_z * weight : g_z;
    grads[0] = rstd * (d - xhat * (d * xhat).mean(row_dims, true));
  }
  if (node.needs_input_grad(1)) {
    grads[1] = (g_z * xhat).reshape({-1, Shape(normalized_shape).numel()}).sum({0}).reshape(normalized_shape);
  }
  return grads;
}

}  // namespace

Tensor rms_norm(const Tensor& x_in, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight_in,
                std::optional<double> eps, Activation activation) {
  const Tensor x = ops_detail::row_major(x_in), weight = ops_detail::row_major(weight_in);
  const double epsilon = eps.value_or(x.dtype() == float64 ? std::numeric_limits<double>::epsilon()
                                                           : std::numeric_limits<float>::epsilon());
  static const detail::BuiltinEpilogues<kernels::LayerNormKernels> tables{
      kernels::RMSNorm_kernels,     kernels::RMSNormReLU_kernels,    kernels::RMSNormSiLU_kernels,
      kernels::RMSNormGELU_kernels, kernels::RMSNormSigmoid_kernels, kernels::RMSNormTanh_kernels};
  return detail::with_builtin_epilogue(activation, tables, [&]<class Act>(Act, const kernels::LayerNormKernels& k) {
    const Tensor no_bias;
    detail::check_layer_norm_arguments(x, normalized_shape, weight, no_bias, epsilon, "rms_norm");
    Tensor statistics;
    Tensor y = detail::layer_norm_kernel_forward(k, x, normalized_shape, weight, no_bias, epsilon, {}, statistics);
    detail::record_norm_with_epilogue<Act>(
        k.backward_name, y, x, weight, no_bias, {},
        [&k, normalized_shape, statistics](const Tensor& g, const Tensor& input, const Tensor& gamma, const Tensor&,
                                           const autograd::Node& node) {
          return detail::layer_norm_kernel_backward(k, g, input, normalized_shape, gamma, Tensor(), statistics, {},
                                                    node);
        },
        [normalized_shape, epsilon](const Tensor& input, const Tensor& gamma, const Tensor&) {
          return rms_norm_composite(input, normalized_shape, gamma, epsilon);
        },
        [normalized_shape, epsilon](const Tensor& g_z, const Tensor& input, const Tensor& gamma,
                                    const autograd::Node& node) {
          return rms_norm_composite_backward(g_z, input, normalized_shape, gamma, epsilon, node);
        });
    return y;
  });
}

}  // namespace lucid::nn::functional
