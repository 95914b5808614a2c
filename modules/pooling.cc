#include "modules/pooling.h"

namespace lucid::nn {
namespace {

std::string describe(const Size2& kernel_size, const MaxPool2dOptions& options) {
  return "kernel_size=" + kernel_size.str() + ", stride=" + options.stride.value_or(kernel_size).str() +
         ", padding=" + options.padding.str();
}

}  // namespace

MaxPool2d::MaxPool2d(Size2 kernel, const MaxPool2dOptions& opts) : kernel_size(kernel), options(opts) {}
Tensor MaxPool2d::forward(const Tensor& input) {
  return functional::max_pool2d(input, {kernel_size, options.stride, options.padding});
}
std::string MaxPool2d::extra_repr() const { return describe(kernel_size, options) + ", dilation=1, ceil_mode=False"; }

AvgPool2d::AvgPool2d(Size2 kernel, const AvgPool2dOptions& opts) : kernel_size(kernel), options(opts) {}
Tensor AvgPool2d::forward(const Tensor& input) {
  return functional::avg_pool2d(input, {kernel_size, options.stride, options.padding});
}
std::string AvgPool2d::extra_repr() const { return describe(kernel_size, options); }

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) { return functional::adaptive_avg_pool2d(input, output_size); }

}  // namespace lucid::nn
