#include "modules/conv2d.h"

#include <sstream>

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "modules/functional/format.h"
#include "modules/init.h"

namespace lucid::nn {

using functional::pair_str;

Conv2d::Conv2d(std::int64_t in_channels, std::int64_t out_channels, Size2 kernel_size, const Conv2dOptions& opts)
    : options(opts), in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {
  if (in_channels <= 0 || out_channels <= 0 || kernel_size[0] <= 0 || kernel_size[1] <= 0) {
    throw ValueError("Conv2d: in_channels (" + std::to_string(in_channels) + "), out_channels (" +
                     std::to_string(out_channels) + ") and kernel_size " + pair_str(kernel_size) + " must be positive");
  }
  if (opts.groups < 1 || in_channels % opts.groups != 0 || out_channels % opts.groups != 0) {
    throw ValueError("Conv2d: groups (" + std::to_string(opts.groups) + ") must be ≥ 1 and divide in_channels (" +
                     std::to_string(in_channels) + ") and out_channels (" + std::to_string(out_channels) + ")");
  }
  if (opts.padding.is_same() && opts.stride != Size2(1)) {
    throw ValueError("Conv2d: padding='same' needs stride 1, got stride " + pair_str(opts.stride));
  }
  const DType dtype = opts.dtype.value_or(float32);
  weight = register_parameter(
      "weight", zeros({out_channels, in_channels / opts.groups, kernel_size[0], kernel_size[1]}, dtype));
  bias = register_parameter("bias", opts.bias ? zeros({out_channels}, dtype) : Tensor());
  reset_parameters();
}

void Conv2d::reset_parameters() {
  autograd::no_grad guard;
  const std::int64_t fan_in = in_channels_ / options.groups * kernel_size_[0] * kernel_size_[1];
  init::default_uniform_(weight, fan_in);
  if (bias.defined()) init::default_uniform_(bias, fan_in);
}

Tensor Conv2d::forward(const Tensor& input) {
  return functional::conv2d(input, weight, bias,
                            {.stride = options.stride, .padding = options.padding, .dilation = options.dilation,
                             .groups = options.groups});
}

std::string Conv2d::extra_repr() const {
  std::ostringstream os;
  os << in_channels_ << ", " << out_channels_ << ", kernel_size=" << pair_str(kernel_size_)
     << ", stride=" << pair_str(options.stride);
  if (options.padding.is_same()) {
    os << ", padding='same'";
  } else if (options.padding != Size2(0)) {
    os << ", padding=" << pair_str(options.padding);
  }
  if (options.dilation != Size2(1)) os << ", dilation=" << pair_str(options.dilation);
  if (options.groups != 1) os << ", groups=" << options.groups;
  if (!bias.defined()) os << ", bias=False";
  return os.str();
}

}  // namespace lucid::nn
