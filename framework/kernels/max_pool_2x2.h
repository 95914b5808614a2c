// The common MaxPool2d(2) (2×2 windows, stride 2, no padding) on one float32 plane, in SIMD.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lucid::kernels {

// For every output (oh, ow) of a plane with `width` columns: the maximum of the window at rows
// 2·oh, 2·oh + 1 and columns 2·ow, 2·ow + 1, and its flat index in the plane, with the rule of
// max_pool2d_forward (greater or NaN wins, in row-major order). Returns false, writing nothing,
// when out_w is narrower than the narrowest vector (the caller's scalar loop does those planes).
bool max_pool_2x2_plane(const float* image, std::size_t width, std::size_t out_h, std::size_t out_w, float* out,
                        std::int32_t* out_index);

}  // namespace lucid::kernels
