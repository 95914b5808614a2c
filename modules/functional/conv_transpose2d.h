// 2-D transposed convolution ("deconvolution"), the adjoint of conv2d in its input: with the same
// weight, stride, padding, dilation and groups, conv_transpose2d(x, w) is the gradient conv2d(z, w)
// sends to z for an output gradient x. Output size per spatial dimension:
//
//   out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1
//
// It runs on conv2d's kernels (framework/kernels/conv2d.h): the forward is conv2d's input-gradient
// product (col = Wᵀ·x, then col2im), dx is conv2d's forward of dy, dW is conv2d's weight gradient with
// x and dy in each other's places.
#pragma once

#include <cstdint>

#include "framework/tensor.h"
#include "modules/size2.h"

namespace lucid::nn::functional {

struct ConvTranspose2dParams {
  Size2 stride = 1;
  Size2 padding = 0;         // removed from both sides of the output
  Size2 output_padding = 0;  // added to one side (bottom / right); < stride or < dilation, as PyTorch
  std::int64_t groups = 1;
  Size2 dilation = 1;
};

// x (N, C, H, W), weight (C, O / groups, KH, KW) (PyTorch's layout: input channels first), bias (O,)
// or undefined → (N, O, OH, OW). First-order gradients for x, weight and bias; create_graph through it
// raises RuntimeError, as conv2d. ValueError on inconsistent shapes or parameters, naming them.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {},
                        const ConvTranspose2dParams& params = {});

}  // namespace lucid::nn::functional
