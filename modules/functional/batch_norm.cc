// batch_norm: argument checks, training through BatchNorm's fused kernels (framework/kernels/batch_norm.h,
// x read in place) with GroupNorm's formulas on the channel-major view of x for double backward,
// evaluation with the running statistics, and the running-statistics update InstanceNorm shares.
#include "modules/functional/batch_norm.h"

#include <algorithm>
#include <string>
#include <vector>

#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/kernels/batch_norm.h"
#include "modules/functional/format.h"
#include "modules/functional/kernel_args.h"
#include "modules/functional/group_norm.h"
#include "modules/functional/group_norm_epilogue.h"
#include "modules/functional/norm_epilogue.h"

namespace lucid::nn::functional {
namespace {

using detail::channel_dims;
using detail::ChannelDims;
using detail::data_or_null;

// The activation's differentiable op applied to z.
Tensor activate(const Tensor& z, Activation activation) {
  switch (activation) {
    case Activation::relu: return relu(z);
    case Activation::silu: return silu(z);
    case Activation::gelu: return gelu(z);
    case Activation::sigmoid: return sigmoid(z);
    case Activation::tanh: return tanh(z);
    case Activation::none: break;
  }
  return z;
}

// Runs the forward kernel; `statistics` becomes the float64 (3, C) center, mean_offset, rstd.
Tensor kernel_forward(const kernels::BatchNormKernels& kernels, const Tensor& x, const Tensor& weight,
                      const Tensor& bias, double eps, Tensor& statistics) {
  const ChannelDims d = channel_dims(x);
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  statistics = Tensor::empty({3, x.size(1)}, float64);
  double* const stats = statistics.data<double>();
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::batch_norm_forward(kernels, kernels::BatchNormForwardArgs<T>{
                                             x.data<T>(), data_or_null<T>(weight), data_or_null<T>(bias), y.data<T>(),
                                             stats, stats + d.c, stats + 2 * d.c, d.n, d.c, d.spatial, eps, nullptr});
  });
  return y;
}

// The gradients (x, weight, bias) that `node` needs, from the fused backward kernel.
autograd::TensorList kernel_backward(const kernels::BatchNormKernels& kernels, const Tensor& g, const Tensor& x,
                                     const Tensor& weight, const Tensor& bias, const Tensor& statistics,
                                     const autograd::Node& node) {
  const ChannelDims d = channel_dims(x);
  Tensor dx = node.needs_input_grad(0) ? Tensor::empty(x.shape(), x.dtype()) : Tensor();
  std::vector<double> sum_dy(d.c), sum_dy_xhat(d.c);
  const double* const stats = statistics.data<double>();
  autograd::TensorList grads{dx, Tensor(), Tensor()};
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::batch_norm_backward(kernels, kernels::BatchNormBackwardArgs<T>{
                                              g.data<T>(), x.data<T>(), data_or_null<T>(weight), data_or_null<T>(bias),
                                              stats, stats + d.c, stats + 2 * d.c, data_or_null<T>(dx), sum_dy.data(),
                                              sum_dy_xhat.data(), d.n, d.c, d.spatial, nullptr});
    auto to_tensor = [&](const std::vector<double>& values) {
      Tensor out = Tensor::empty({x.size(1)}, x.dtype());
      std::copy(values.begin(), values.end(), out.data<T>());
      return out;
    };
    if (node.needs_input_grad(1)) grads[1] = to_tensor(sum_dy_xhat);
    if (node.needs_input_grad(2)) grads[2] = to_tensor(sum_dy);
  });
  return grads;
}

// x (N, C, *) as GroupNorm's input (1, C, N·spatial) with one group per channel, and back.
Tensor channel_major(const Tensor& t) { return t.transpose(0, 1).reshape({1, t.size(1), -1}); }
Tensor from_channel_major(const Tensor& t, const Tensor& like) {
  std::vector<std::int64_t> transposed(like.shape().begin(), like.shape().end());
  std::swap(transposed[0], transposed[1]);
  return t.reshape(transposed).transpose(0, 1);
}

// Training-mode batch normalisation (batch statistics) with the activation fused into the kernels; the
// graph node's double backward uses GroupNorm's differentiable formulas on the channel-major view.
Tensor batch_norm_training(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in, double eps,
                           Activation activation, Tensor& statistics) {
  static const detail::BuiltinEpilogues<kernels::BatchNormKernels> tables{
      kernels::BatchNorm_kernels,     kernels::BatchNormReLU_kernels,    kernels::BatchNormSiLU_kernels,
      kernels::BatchNormGELU_kernels, kernels::BatchNormSigmoid_kernels, kernels::BatchNormTanh_kernels};
  const Tensor x = ops_detail::row_major(x_in), weight = ops_detail::row_major(weight_in);
  const Tensor bias = ops_detail::row_major(bias_in);
  return detail::with_builtin_epilogue(activation, tables, [&]<class Act>(Act, const kernels::BatchNormKernels& k) {
    Tensor y = kernel_forward(k, x, weight, bias, eps, statistics);
    detail::record_norm_with_epilogue<Act>(
        k.backward_name, y, x, weight, bias, {},
        [&k, statistics](const Tensor& g, const Tensor& input, const Tensor& gamma, const Tensor& beta,
                         const autograd::Node& node) {
          return kernel_backward(k, g, input, gamma, beta, statistics, node);
        },
        [eps](const Tensor& input, const Tensor& gamma, const Tensor& beta) {
          const Tensor z = detail::group_norm_composite(channel_major(input), input.size(1), gamma, beta, eps);
          return from_channel_major(z, input);
        },
        [eps](const Tensor& g_z, const Tensor& input, const Tensor& gamma, const autograd::Node& node) {
          autograd::TensorList grads = detail::group_norm_composite_backward(
              channel_major(g_z), channel_major(input), input.size(1), gamma, eps, node);
          if (grads[0].defined()) grads[0] = from_channel_major(grads[0], input);
          return grads;
        });
    return y;
  });
}

}  // namespace

namespace detail {

void check_per_channel_arguments(const char* op, const Tensor& x, const Tensor& running_mean,
                                 const Tensor& running_var, const Tensor& weight, const Tensor& bias, double eps) {
  const std::string prefix = std::string(op) + ": ";
  if (!x.defined()) throw ValueError(prefix + "the input is an undefined tensor");
  if (x.dim() < 2) {
    throw ValueError(prefix + "expected an input of shape (N, C, *) with at least 2 dimensions, got shape " +
                     x.shape().str());
  }
  if (!(eps >= 0.0)) throw ValueError(prefix + "eps (" + python_float(eps) + ") must be non-negative");  // also NaN
  const std::int64_t channels = x.size(1);
  auto check = [&](const Tensor& t, const char* name) {
    if (!t.defined()) return;
    if (t.shape() != Shape{channels}) {
      throw ValueError(prefix + name + " of shape " + t.shape().str() + " does not match the input's " +
                       std::to_string(channels) + " channels (dimension 1 of shape " + x.shape().str() +
                       "): expected shape (" + std::to_string(channels) + ",)");
    }
    if (t.dtype() != x.dtype()) {
      throw ValueError(prefix + name + " has dtype " + std::string(dtype_name(t.dtype())) + " but the input has dtype " +
                       std::string(dtype_name(x.dtype())));
    }
  };
  check(running_mean, "running_mean");
  check(running_var, "running_var");
  check(weight, "weight");
  check(bias, "bias");
}

Tensor normalize_with_running_stats(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                                    const Tensor& weight, const Tensor& bias, double eps, Activation activation) {
  const std::vector<std::int64_t> view = channel_view(x);
  const Tensor mean = running_mean.detach(), var = running_var.detach();
  Tensor scale = rsqrt(var + eps);
  if (weight.defined()) scale = scale * weight;
  Tensor shift = -(mean * scale);
  if (bias.defined()) shift = shift + bias;
  return activate(x * scale.reshape(view) + shift.reshape(view), activation);
}

GroupMoments group_moments(const Tensor& statistics, double eps) {
  const std::size_t items = static_cast<std::size_t>(statistics.numel() / 3);
  const double* const center = statistics.data<double>();
  const double* const mean_offset = center + items;
  const double* const rstd = center + 2 * items;
  GroupMoments moments{std::vector<double>(items), std::vector<double>(items)};
  for (std::size_t i = 0; i < items; ++i) {
    moments.mean[i] = center[i] + mean_offset[i];
    moments.var[i] = std::max(1.0 / (rstd[i] * rstd[i]) - eps, 0.0);
  }
  return moments;
}

void update_running_stats(const Tensor& running_mean, const Tensor& running_var, std::span<const double> mean,
                          std::span<const double> unbiased_var, double momentum) {
  auto update = [momentum](const Tensor& running, std::span<const double> batch) {
    if (!running.defined()) return;
    visit_dtype(running.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* const values = running.data<T>();
      for (std::size_t c = 0; c < batch.size(); ++c) {
        values[c] = static_cast<T>(momentum * batch[c] + (1.0 - momentum) * static_cast<double>(values[c]));
      }
    });
    running.bump_version();
  };
  update(running_mean, mean);
  update(running_var, unbiased_var);
}

}  // namespace detail

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps, Activation activation) {
  detail::check_per_channel_arguments("batch_norm", x, running_mean, running_var, weight, bias, eps);
  if (!training) {
    if (!running_mean.defined() || !running_var.defined()) {
      throw ValueError("batch_norm: running_mean and running_var are required when not training (training=false)");
    }
    return detail::normalize_with_running_stats(x, running_mean, running_var, weight, bias, eps, activation);
  }
  const std::int64_t channels = x.size(1), values_per_channel = x.numel() / std::max<std::int64_t>(channels, 1);
  if (values_per_channel <= 1) {
    throw ValueError("batch_norm: expected more than 1 value per channel when training, got input of shape " +
                     x.shape().str());
  }
  Tensor statistics;
  const Tensor y = batch_norm_training(x, weight, bias, eps, activation, statistics);
  if (running_mean.defined() || running_var.defined()) {
    detail::GroupMoments moments = detail::group_moments(statistics, eps);
    const double bessel = static_cast<double>(values_per_channel) / static_cast<double>(values_per_channel - 1);
    for (double& v : moments.var) v *= bessel;
    detail::update_running_stats(running_mean, running_var, moments.mean, moments.var, momentum);
  }
  return y;
}

}  // namespace lucid::nn::functional
