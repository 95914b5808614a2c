#include "modules/group_norm.h"

#include <string>

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "modules/functional/format.h"
#include "modules/functional/group_norm.h"

namespace lucid::nn {

GroupNorm::GroupNorm(std::int64_t num_groups, std::int64_t num_channels, double eps, bool affine, Device device,
                     std::optional<DType> dtype)
    : GroupNorm(num_groups, num_channels, GroupNormOptions{eps, affine, Activation::none, device, dtype}) {}

GroupNorm::GroupNorm(std::int64_t num_groups, std::int64_t num_channels, const GroupNormOptions& opts)
    : options(opts), num_groups_(num_groups), num_channels_(num_channels) {
  functional::detail::check_group_norm_config("GroupNorm", num_groups, num_channels, options.eps);
  const DType dtype = options.dtype.value_or(float32);
  weight = register_parameter("weight", options.affine ? ones({num_channels}, dtype) : Tensor());
  bias = register_parameter("bias", options.affine ? zeros({num_channels}, dtype) : Tensor());
}

Tensor GroupNorm::forward(const Tensor& input) { return forward(input, options.activation); }

Tensor GroupNorm::forward(const Tensor& input, Activation activation) {
  if (input.dim() >= 2 && input.size(1) != num_channels_) {
    throw ValueError("GroupNorm: expected input with " + std::to_string(num_channels_) + " channels (dimension 1), got shape " +
                     input.shape().str());
  }
  return functional::group_norm(input, num_groups_, weight, bias, options.eps, activation);
}

void GroupNorm::reset_parameters() {
  if (!options.affine) return;
  autograd::no_grad guard;
  weight.fill_(1.0);
  bias.fill_(0.0);
}

std::string GroupNorm::extra_repr() const {
  return std::to_string(num_groups_) + ", " + std::to_string(num_channels_) + ", eps=" + functional::python_float(options.eps) +
         ", affine=" + (options.affine ? "True" : "False") +
         (options.activation == Activation::none ? "" : ", activation=" + std::string(activation_name(options.activation)));
}

}  // namespace lucid::nn
