// The common MaxPool2d(2) (2×2 windows, stride 2, no padding) on one plane, shared by max_pool2d
// (pooling.cc) and GroupNorm's pooled epilogue (group_norm-inl.h): float32 in SIMD where a row of
// outputs is at least a vector wide (max_pool_2x2_kernels.cc), else a scalar loop, with one rule for
// the winner in every window; and its backward.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace lucid::kernels {

// Running maximum over a window, visited in row-major order: a candidate wins when it is greater or
// NaN (the last NaN when there are several), exactly as PyTorch's CPU kernel. Branch-free through bit
// masks (GCC turns a ternary select into a branch here, and on real data the comparison is random).
template <typename T>
struct MaxCandidate {
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  T best = -std::numeric_limits<T>::infinity();
  std::int32_t index;
  void offer(T v, std::int32_t at) {
    const bool take = (v > best) | (v != v);
    const Bits keep_v = Bits{0} - static_cast<Bits>(take);  // all ones when v wins
    best = std::bit_cast<T>((std::bit_cast<Bits>(v) & keep_v) | (std::bit_cast<Bits>(best) & ~keep_v));
    const auto keep_at = static_cast<std::int32_t>(keep_v);
    index = (at & keep_at) | (index & ~keep_at);
  }
};

// For every output (oh, ow) of a plane with `width` columns: the maximum of the window at rows
// 2·oh, 2·oh + 1 and columns 2·ow, 2·ow + 1, and its flat index in the plane, with the rule of
// max_pool2d_forward (greater or NaN wins, in row-major order). Returns false, writing nothing,
// when out_w is narrower than the narrowest vector (max_pool_2x2 then runs its scalar loop).
bool max_pool_2x2_plane(const float* image, std::size_t width, std::size_t out_h, std::size_t out_w, float* out,
                        std::int32_t* out_index);

// The same for any T: max_pool_2x2_plane where it applies, else the row-major rule as a tree (same
// winner, shorter dependency chain): the top pair's winner, the bottom pair's, then the bottom one
// only if greater or NaN.
template <typename T>
void max_pool_2x2(const T* image, std::size_t width, std::size_t out_h, std::size_t out_w, T* out,
                  std::int32_t* out_index) {
  if constexpr (std::is_same_v<T, float>) {
    if (max_pool_2x2_plane(image, width, out_h, out_w, out, out_index)) return;
  }
  for (std::size_t oh = 0; oh < out_h; ++oh) {
    const auto top = static_cast<std::int32_t>(2 * oh * width), bottom = top + static_cast<std::int32_t>(width);
    for (std::size_t ow = 0; ow < out_w; ++ow) {
      const auto left = static_cast<std::int32_t>(2 * ow);
      MaxCandidate<T> upper{image[top + left], top + left}, lower{image[bottom + left], bottom + left};
      upper.offer(image[top + left + 1], top + left + 1);
      lower.offer(image[bottom + left + 1], bottom + left + 1);
      upper.offer(lower.best, lower.index);
      out[oh * out_w + ow] = upper.best;
      out_index[oh * out_w + ow] = upper.index;
    }
  }
}

// Its backward on one plane of `plane_size` inputs and `outputs` windows: dx = gy at each window's
// argmax and 0 elsewhere (the windows do not overlap).
template <typename T>
void max_unpool_2x2(const T* gy, const std::int32_t* argmax, std::size_t plane_size, std::size_t outputs, T* dx) {
  std::fill_n(dx, plane_size, T(0));
  for (std::size_t k = 0; k < outputs; ++k) dx[argmax[k]] = gy[k];
}

}  // namespace lucid::kernels
