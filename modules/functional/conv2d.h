// 2-D convolution (see framework/kernels/conv2d.h for the formula and the im2col + GEMM design).
#pragma once

#include <array>
#include <cstdint>

#include "framework/tensor.h"

namespace lucid::nn::functional {

struct Conv2dParams {
  std::array<std::int64_t, 2> stride{1, 1};
  std::array<std::int64_t, 2> padding{0, 0};
  std::array<std::int64_t, 2> dilation{1, 1};
};

// x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or undefined → (N, O, OH, OW). First-order
// gradients for x, weight and bias; a backward recorded for double differentiation (create_graph)
// raises RuntimeError. ValueError on inconsistent shapes or parameters, naming them.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv2dParams& params = {});

}  // namespace lucid::nn::functional
