#include "modules/pooling.h"

namespace lucid::nn {
namespace {

functional::Pool2dParams square(std::int64_t kernel, std::optional<std::int64_t> stride, std::int64_t padding) {
  const std::int64_t s = stride.value_or(kernel);
  return {{kernel, kernel}, {s, s}, {padding, padding}};
}

std::string describe(const functional::Pool2dParams& p) {
  return "kernel_size=" + std::to_string(p.kernel_size[0]) + ", stride=" + std::to_string(p.stride[0]) +
         ", padding=" + std::to_string(p.padding[0]);
}

}  // namespace

MaxPool2d::MaxPool2d(std::int64_t kernel_size, std::optional<std::int64_t> stride, std::int64_t padding)
    : params_(square(kernel_size, stride, padding)) {}
Tensor MaxPool2d::forward(const Tensor& input) { return functional::max_pool2d(input, params_); }
std::string MaxPool2d::extra_repr() const { return describe(params_) + ", dilation=1, ceil_mode=False"; }

AvgPool2d::AvgPool2d(std::int64_t kernel_size, std::optional<std::int64_t> stride, std::int64_t padding)
    : params_(square(kernel_size, stride, padding)) {}
Tensor AvgPool2d::forward(const Tensor& input) { return functional::avg_pool2d(input, params_); }
std::string AvgPool2d::extra_repr() const { return describe(params_); }

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) { return functional::adaptive_avg_pool2d(input, output_size_); }
std::string AdaptiveAvgPool2d::extra_repr() const {
  if (given_as_one_number_) return "output_size=" + std::to_string(output_size_[0]);
  return "output_size=(" + std::to_string(output_size_[0]) + ", " + std::to_string(output_size_[1]) + ")";
}

}  // namespace lucid::nn
