#include "modules/batch_norm.h"

#include "modules/functional/batch_norm.h"

namespace lucid::nn {

// PyTorch's _BatchNorm.forward: batch statistics when training or without running statistics; the
// buffers are passed (and updated when training) when tracked.
Tensor BatchNorm::forward(const Tensor& input, Activation activation) {
  check_input_rank(input);
  check_channels(input, 1);
  const bool track = options.track_running_stats, training = is_training();
  double factor = options.momentum.value_or(0.0);
  if (training && track && !options.momentum) {
    factor = 1.0 / static_cast<double>(num_batches_tracked.data<std::int64_t>()[0] + 1);
  }
  // Without tracking the buffers are undefined.
  Tensor y = functional::batch_norm(input, running_mean, running_var, weight, bias, training || !track, factor,
                                    options.eps, activation);
  if (training && track) {
    num_batches_tracked.data<std::int64_t>()[0] += 1;
    num_batches_tracked.bump_version();
  }
  return y;
}

}  // namespace lucid::nn
