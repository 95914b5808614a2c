// Conv2d: 2-D convolution (modules/functional/conv2d.h). W (out, in, kh, kw) and b (out,) start at
// U(±1/√(in·kh·kw)), as in PyTorch.
#pragma once

#include <array>
#include <cstdint>

#include "modules/functional/conv2d.h"
#include "modules/module.h"

namespace lucid::nn {

struct Conv2dOptions {
  std::array<std::int64_t, 2> stride{1, 1};
  std::array<std::int64_t, 2> padding{0, 0};
  std::array<std::int64_t, 2> dilation{1, 1};
  bool bias = true;
  DType dtype = float32;
};

class Conv2d : public Module {
 public:
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::array<std::int64_t, 2> kernel_size,
         const Conv2dOptions& options = {});
  // Square kernel.
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size, const Conv2dOptions& options = {})
      : Conv2d(in_channels, out_channels, {kernel_size, kernel_size}, options) {}
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  // "1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)" (PyTorch omits default dilation/bias)
  std::string extra_repr() const override;

  Parameter weight;
  Parameter bias;

 private:
  std::int64_t in_channels_, out_channels_;
  std::array<std::int64_t, 2> kernel_size_;
  functional::Conv2dParams params_;
};

}  // namespace lucid::nn
