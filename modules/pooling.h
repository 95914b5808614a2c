// Pooling layers (modules/functional/pooling.h): MaxPool2d, AvgPool2d, AdaptiveAvgPool2d.
#pragma once

#include <cstdint>
#include <optional>

#include "modules/functional/pooling.h"
#include "modules/module.h"
#include "modules/size2.h"

namespace lucid::nn {

struct MaxPool2dOptions {
  OptionalSize2 stride = {};  // the kernel size when unset, as PyTorch
  Size2 padding = 0;
};
using AvgPool2dOptions = MaxPool2dOptions;

//   lucid::nn::MaxPool2d pool(2);                          // kernel (2, 2), stride (2, 2)
//   lucid::nn::AvgPool2d avg({3, 2}, {.stride = 1, .padding = {1, 0}});
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel_size, const MaxPool2dOptions& options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False"
  Size2 kernel_size;
  MaxPool2dOptions options;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, const AvgPool2dOptions& options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "kernel_size=2, stride=2, padding=0"
  Size2 kernel_size;
  AvgPool2dOptions options;
};

// Output (N, C, OH, OW) over PyTorch's adaptive windows.
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 size) : output_size(size) {}
  Tensor forward(const Tensor& input) override;
  // As PyTorch prints it: "output_size=1" when given one number, "output_size=(2, 3)" for a pair.
  std::string extra_repr() const override { return "output_size=" + output_size.str(); }
  Size2 output_size;
};

}  // namespace lucid::nn
