// Conv2d: 2-D convolution (modules/functional/conv2d.h). W (out, in, kh, kw) and b (out,) start at
// U(±1/√(in·kh·kw)), as in PyTorch.
#pragma once

#include <cstdint>
#include <optional>

#include "framework/device.h"
#include "framework/dtype.h"
#include "modules/functional/conv2d.h"
#include "modules/size2.h"
#include "modules/module.h"

namespace lucid::nn {

// Only zero padding for now (PyTorch's reflect, replicate and circular modes are not implemented).
enum class PaddingMode { zeros };

struct Conv2dOptions {
  Size2 stride = 1;
  Conv2dPadding padding = 0;  // a Size2, or lucid::nn::same (stride 1)
  Size2 dilation = 1;
  std::int64_t groups = 1;    // groups = in_channels = out_channels: depthwise
  bool bias = true;
  PaddingMode padding_mode = PaddingMode::zeros;
  Device device = {};
  std::optional<DType> dtype = {};  // of weight and bias; float32 when unset
};

class Conv2d : public Module {
 public:
  //   lucid::nn::Conv2d conv(32, 64, 3, {.padding = 1});                  // 3×3 kernel, padding (1, 1)
  //   lucid::nn::Conv2d depthwise(32, 32, {3, 3}, {.padding = lucid::nn::same, .groups = 32});
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, Size2 kernel_size, const Conv2dOptions& options = {});
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  // "1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)" (PyTorch omits default dilation,
  // groups and bias; padding='same' when so)
  std::string extra_repr() const override;

  Parameter weight;
  Parameter bias;
  Conv2dOptions options;

 private:
  std::int64_t in_channels_, out_channels_;
  Size2 kernel_size_;
};

}  // namespace lucid::nn
