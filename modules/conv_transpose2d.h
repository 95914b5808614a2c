// ConvTranspose2d: 2-D transposed convolution (modules/functional/conv_transpose2d.h), the learned
// upsampling of a UNet's decoder. W (in, out / groups, kh, kw) and b (out,) start at U(±1/√fan_in)
// with fan_in = out / groups · kh · kw (PyTorch computes it from W's second dimension).
#pragma once

#include <cstdint>
#include <optional>

#include "framework/device.h"
#include "framework/dtype.h"
#include "modules/functional/conv_transpose2d.h"
#include "modules/module.h"
#include "modules/size2.h"

namespace lucid::nn {

struct ConvTranspose2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  Size2 output_padding = 0;
  std::int64_t groups = 1;
  bool bias = true;
  Size2 dilation = 1;
  Device device = {};
  std::optional<DType> dtype = {};  // of weight and bias; float32 when unset
};

class ConvTranspose2d : public Module {
 public:
  //   lucid::nn::ConvTranspose2d up(64, 32, 4, {.stride = 2, .padding = 1});  // doubles H and W
  ConvTranspose2d(std::int64_t in_channels, std::int64_t out_channels, Size2 kernel_size,
                  const ConvTranspose2dOptions& options = {});
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  // "64, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1)" (PyTorch's: output_padding, dilation,
  // groups and bias only when not their defaults)
  std::string extra_repr() const override;

  Parameter weight;
  Parameter bias;
  ConvTranspose2dOptions options;

 private:
  std::int64_t in_channels_, out_channels_;
  Size2 kernel_size_;
};

}  // namespace lucid::nn
