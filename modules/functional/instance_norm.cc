// instance_norm: GroupNorm with one channel per group, and the running statistics averaged over the batch.
#include "modules/functional/instance_norm.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "modules/functional/batch_norm.h"
#include "modules/functional/group_norm.h"

namespace lucid::nn::functional {

Tensor instance_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                     const Tensor& bias, bool use_input_stats, double momentum, double eps, Activation activation) {
  detail::check_per_channel_arguments("instance_norm", x, running_mean, running_var, weight, bias, eps);
  if (!use_input_stats) {
    if (!running_mean.defined() || !running_var.defined()) {
      throw ValueError(
          "instance_norm: running_mean and running_var are required without input statistics (use_input_stats=false)");
    }
    return detail::normalize_with_running_stats(x, running_mean, running_var, weight, bias, eps, activation);
  }
  const std::int64_t batch = x.size(0), channels = x.size(1);
  const std::int64_t spatial = x.numel() / std::max<std::int64_t>(batch * channels, 1);
  if (spatial <= 1) {
    throw ValueError("instance_norm: expected more than 1 spatial element when training, got input of shape " +
                     x.shape().str());
  }
  Tensor statistics;
  Tensor y = detail::group_norm(x, channels, weight, bias, eps, activation, statistics);
  if (running_mean.defined() || running_var.defined()) {
    // The batch's statistics of channel c: the mean over n of μ_nc and of the unbiased σ²_nc.
    const detail::GroupMoments moments = detail::group_moments(statistics, eps);
    const auto c_count = static_cast<std::size_t>(channels), n_count = static_cast<std::size_t>(batch);
    const double bessel = static_cast<double>(spatial) / static_cast<double>(spatial - 1);
    std::vector<double> mean(c_count, 0.0), unbiased_var(c_count, 0.0);
    for (std::size_t n = 0; n < n_count; ++n) {
      for (std::size_t c = 0; c < c_count; ++c) {
        mean[c] += moments.mean[n * c_count + c];
        unbiased_var[c] += moments.var[n * c_count + c] * bessel;
      }
    }
    for (std::size_t c = 0; c < c_count; ++c) {
      mean[c] /= static_cast<double>(batch);
      unbiased_var[c] /= static_cast<double>(batch);
    }
    detail::update_running_stats(running_mean, running_var, mean, unbiased_var, momentum);
  }
  return y;
}

}  // namespace lucid::nn::functional
