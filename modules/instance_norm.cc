#include "modules/instance_norm.h"

#include "modules/functional/instance_norm.h"

namespace lucid::nn {

// PyTorch's _InstanceNorm.forward: input statistics when training or without running statistics; an
// unbatched input runs as a batch of one.
Tensor InstanceNorm::forward(const Tensor& input, Activation activation) {
  check_input_rank(input);
  const bool unbatched = is_unbatched(input);
  if (options.affine || options.track_running_stats) check_channels(input, unbatched ? 0 : 1);
  const Tensor batched = unbatched ? input.unsqueeze(0) : input;
  const Tensor y = functional::instance_norm(batched, running_mean, running_var, weight, bias,
                                             is_training() || !options.track_running_stats, options.momentum,
                                             options.eps, activation);
  return unbatched ? y.squeeze(0) : y;
}

}  // namespace lucid::nn
