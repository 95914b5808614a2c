// batch_norm: argument checks, training through GroupNorm's kernels on the channel-major view of x,
// evaluation with the running statistics, and the running-statistics update InstanceNorm shares.
#include "modules/functional/batch_norm.h"

#include <algorithm>
#include <string>
#include <vector>

#include "autodiff/ops.h"
#include "modules/functional/format.h"
#include "modules/functional/group_norm.h"

namespace lucid::nn::functional {
namespace {

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
  // Channel c's N·spatial values are contiguous in x transposed to (C, N, *): GroupNorm of that as
  // (1, C, N·spatial) with one group per channel.
  const bool one_sample = x.size(0) == 1;
  const Tensor channel_major = one_sample ? x : x.transpose(0, 1).contiguous();
  Tensor statistics;
  const Tensor z = detail::group_norm(channel_major.reshape({1, channels, -1}), channels, weight, bias, eps, activation,
                                      statistics)
                       .reshape(channel_major.shape());
  const Tensor y = one_sample ? z : z.transpose(0, 1).contiguous();
  if (running_mean.defined() || running_var.defined()) {
    detail::GroupMoments moments = detail::group_moments(statistics, eps);
    const double bessel = static_cast<double>(values_per_channel) / static_cast<double>(values_per_channel - 1);
    for (double& v : moments.var) v *= bessel;
    detail::update_running_stats(running_mean, running_var, moments.mean, moments.var, momentum);
  }
  return y;
}

}  // namespace lucid::nn::functional
