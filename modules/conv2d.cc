#include "modules/conv2d.h"

#include <sstream>

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "modules/functional/format.h"
#include "modules/init.h"

namespace lucid::nn {

using functional::pair_str;

Conv2d::Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::array<std::int64_t, 2> kernel_size,
               const Conv2dOptions& options)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      kernel_size_(kernel_size),
      params_{options.stride, options.padding, options.dilation} {
  if (in_channels <= 0 || out_channels <= 0 || kernel_size[0] <= 0 || kernel_size[1] <= 0) {
    throw ValueError("Conv2d: in_channels (" + std::to_string(in_channels) + "), out_channels (" +
                     std::to_string(out_channels) + ") and kernel_size " + pair_str(kernel_size) + " must be positive");
  }
  weight = register_parameter("weight", zeros({out_channels, in_channels, kernel_size[0], kernel_size[1]}, options.dtype));
  bias = register_parameter("bias", options.bias ? zeros({out_channels}, options.dtype) : Tensor());
  reset_parameters();
}

void Conv2d::reset_parameters() {
  autograd::no_grad guard;
  const std::int64_t fan_in = in_channels_ * kernel_size_[0] * kernel_size_[1];
  init::default_uniform_(weight, fan_in);
  if (bias.defined()) init::default_uniform_(bias, fan_in);
}

Tensor Conv2d::forward(const Tensor& input) { return functional::conv2d(input, weight, bias, params_); }

std::string Conv2d::extra_repr() const {
  std::ostringstream os;
  os << in_channels_ << ", " << out_channels_ << ", kernel_size=" << pair_str(kernel_size_)
     << ", stride=" << pair_str(params_.stride);
  if (params_.padding != std::array<std::int64_t, 2>{0, 0}) os << ", padding=" << pair_str(params_.padding);
  if (params_.dilation != std::array<std::int64_t, 2>{1, 1}) os << ", dilation=" << pair_str(params_.dilation);
  if (!bias.defined()) os << ", bias=False";
  return os.str();
}

}  // namespace lucid::nn
