// Helpers for filling the norm kernels' argument structs (framework/kernels/*_norm.h) from tensors:
// shared by the functional forms of GroupNorm and BatchNorm.
#pragma once

#include <algorithm>
#include <cstddef>

#include "framework/tensor.h"

namespace lucid::nn::functional::detail {

// t's data, or nullptr for an undefined tensor (an absent weight or bias, a gradient not needed).
template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// x (N, C, *) as (batch, channels, spatial), spatial the product of the trailing dims.
struct ChannelDims {
  std::size_t n, c, spatial;
};
inline ChannelDims channel_dims(const Tensor& x) {
  const auto n = static_cast<std::size_t>(x.size(0)), c = static_cast<std::size_t>(x.size(1));
  return {n, c, static_cast<std::size_t>(x.numel()) / std::max<std::size_t>(n * c, 1)};
}

}  // namespace lucid::nn::functional::detail
