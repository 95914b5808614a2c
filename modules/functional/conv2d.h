// 2-D convolution (see framework/kernels/conv2d.h for the formula and the im2col + GEMM design).
#pragma once

#include <cstdint>

#include "framework/tensor.h"
#include "modules/size2.h"

namespace lucid::nn::functional {

struct Conv2dParams {
  Size2 stride = 1;
  Conv2dPadding padding = 0;  // or `same` (stride 1)
  Size2 dilation = 1;
  std::int64_t groups = 1;    // input and output channels split into this many independent groups
};

// x (N, C, H, W), weight (O, C / groups, KH, KW), bias (O,) or undefined → (N, O, OH, OW); output
// channel o sees input channels of group o / (O / groups) only (groups = C: depthwise). First-order
// gradients for x, weight and bias; a backward recorded for double differentiation (create_graph)
// raises RuntimeError. ValueError on inconsistent shapes or parameters, naming them.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv2dParams& params = {});

}  // namespace lucid::nn::functional
