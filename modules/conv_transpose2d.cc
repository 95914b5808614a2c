#include "modules/conv_transpose2d.h"

#include <sstream>

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "modules/functional/format.h"
#include "modules/init.h"

namespace lucid::nn {

using functional::pair_str;

ConvTranspose2d::ConvTranspose2d(std::int64_t in_channels, std::int64_t out_channels, Size2 kernel_size,
                                 const ConvTranspose2dOptions& opts)
    : options(opts), in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {
  if (in_channels <= 0 || out_channels <= 0 || kernel_size[0] <= 0 || kernel_size[1] <= 0) {
    throw ValueError("ConvTranspose2d: in_channels (" + std::to_string(in_channels) + "), out_channels (" +
                     std::to_string(out_channels) + ") and kernel_size " + pair_str(kernel_size) + " must be positive");
  }
  if (opts.groups < 1 || in_channels % opts.groups != 0 || out_channels % opts.groups != 0) {
    throw ValueError("ConvTranspose2d: groups (" + std::to_string(opts.groups) + ") must be ≥ 1 and divide in_channels (" +
                     std::to_string(in_channels) + ") and out_channels (" + std::to_string(out_channels) + ")");
  }
  const DType dtype = opts.dtype.value_or(float32);
  weight = register_parameter(
      "weight", zeros({in_channels, out_channels / opts.groups, kernel_size[0], kernel_size[1]}, dtype));
  bias = register_parameter("bias", opts.bias ? zeros({out_channels}, dtype) : Tensor());
  reset_parameters();
}

void ConvTranspose2d::reset_parameters() {
  autograd::no_grad guard;
  const std::int64_t fan_in = out_channels_ / options.groups * kernel_size_[0] * kernel_size_[1];
  init::default_uniform_(weight, fan_in);
  if (bias.defined()) init::default_uniform_(bias, fan_in);
}

Tensor ConvTranspose2d::forward(const Tensor& input) {
  return functional::conv_transpose2d(input, weight, bias,
                                      {.stride = options.stride, .padding = options.padding,
                                       .output_padding = options.output_padding, .groups = options.groups,
                                       .dilation = options.dilation});
}

std::string ConvTranspose2d::extra_repr() const {
  std::ostringstream os;
  os << in_channels_ << ", " << out_channels_ << ", kernel_size=" << pair_str(kernel_size_)
     << ", stride=" << pair_str(options.stride);
  if (options.padding != Size2(0)) os << ", padding=" << pair_str(options.padding);
  if (options.output_padding != Size2(0)) os << ", output_padding=" << pair_str(options.output_padding);
  if (options.dilation != Size2(1)) os << ", dilation=" << pair_str(options.dilation);
  if (options.groups != 1) os << ", groups=" << options.groups;
  if (!bias.defined()) os << ", bias=False";
  return os.str();
}

}  // namespace lucid::nn
