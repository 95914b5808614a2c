// Resizing the spatial dimensions of (N, C, L), (N, C, H, W) or (N, C, D, H, W) inputs, as PyTorch's
// F.interpolate: nearest neighbour, the upsampling of a UNet's decoder.
//
//   nearest:  y[..., o] = x[..., min(⌊o·scale⌋, in − 1)] per spatial dimension, scale = 1/scale_factor
//             when a factor was given, else in/out (PyTorch's float32 arithmetic, so the same source
//             index for every output index); out = ⌊in·scale_factor⌋ or the given size.
//
// The gradient of each input element is the sum of the gradients of the outputs that copied it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "framework/tensor.h"

namespace lucid::nn {

enum class UpsampleMode { nearest };

// Give exactly one of size and scale_factor.
struct UpsampleOptions {
  std::vector<std::int64_t> size = {};      // output size per spatial dimension, or one for all; empty: unset
  std::optional<double> scale_factor = {};  // the same factor for every spatial dimension
  UpsampleMode mode = UpsampleMode::nearest;
};

namespace functional {

// ValueError naming the values for a 2-D or 6-D input, both or neither of size and scale_factor, a
// size list of the wrong length, a non-positive size or factor, or an empty result.
Tensor interpolate(const Tensor& x, const UpsampleOptions& options);

namespace detail {
// ValueError "<op>: give exactly one of size and scale_factor, got both / neither" unless exactly one
// is set: the check interpolate and Upsample's constructor share.
void check_size_or_scale_factor(const char* op, const UpsampleOptions& options);
}  // namespace detail

}  // namespace functional
}  // namespace lucid::nn
