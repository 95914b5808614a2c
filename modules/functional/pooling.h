// 2-D max and average pooling over (N, C, H, W) inputs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "framework/tensor.h"
#include "modules/size2.h"

namespace lucid::nn::functional {

struct Pool2dParams {
  Size2 kernel_size;
  OptionalSize2 stride = {};  // the kernel size when unset, as PyTorch
  Size2 padding = 0;
};

// Max over each window; the gradient goes to the (first) maximum of each window.
Tensor max_pool2d(const Tensor& x, const Pool2dParams& params);
// Mean over each window, zero padding counted (count_include_pad=True).
Tensor avg_pool2d(const Tensor& x, const Pool2dParams& params);
// Mean over PyTorch's adaptive windows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) for an output of `output_size`.
Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size);

}  // namespace lucid::nn::functional
