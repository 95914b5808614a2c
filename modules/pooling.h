// Pooling layers (modules/functional/pooling.h): MaxPool2d, AvgPool2d, AdaptiveAvgPool2d.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "modules/functional/pooling.h"
#include "modules/module.h"

namespace lucid::nn {

// stride defaults to the kernel size, as in PyTorch.
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(std::int64_t kernel_size, std::optional<std::int64_t> stride = {}, std::int64_t padding = 0);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False"

 private:
  functional::Pool2dParams params_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(std::int64_t kernel_size, std::optional<std::int64_t> stride = {}, std::int64_t padding = 0);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

 private:
  functional::Pool2dParams params_;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(std::array<std::int64_t, 2> output_size) : output_size_(output_size) {}
  explicit AdaptiveAvgPool2d(std::int64_t output_size)
      : output_size_{output_size, output_size}, given_as_one_number_(true) {}
  Tensor forward(const Tensor& input) override;
  // As PyTorch prints it: "output_size=1" when given one number, "output_size=(2, 3)" for a pair.
  std::string extra_repr() const override;

 private:
  std::array<std::int64_t, 2> output_size_;
  bool given_as_one_number_ = false;
};

}  // namespace lucid::nn
