#include "framework/kernels/pooling.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "framework/kernels/max_pool_2x2.h"

namespace lucid::kernels {
namespace {

using Index = std::ptrdiff_t;

// [begin, end) of output position i's window along one axis, clipped to the image.
std::pair<Index, Index> window(std::size_t i, std::size_t in, std::size_t out, std::size_t kernel, std::size_t stride,
                               std::size_t pad, bool adaptive) {
  if (adaptive) return {static_cast<Index>(i * in / out), static_cast<Index>(((i + 1) * in + out - 1) / out)};
  const Index start = static_cast<Index>(i * stride) - static_cast<Index>(pad);
  return {std::max<Index>(start, 0), std::min<Index>(start + static_cast<Index>(kernel), static_cast<Index>(in))};
}

// Calls visit(k, h0, h1, w0, w1) for every output position k of a plane with its window.
template <typename Visit>
void for_each_window(const Pool2dGeometry& g, Visit&& visit) {
  for (std::size_t oh = 0; oh < g.out_h; ++oh) {
    const auto [h0, h1] = window(oh, g.height, g.out_h, g.kernel_h, g.stride_h, g.pad_h, g.adaptive);
    for (std::size_t ow = 0; ow < g.out_w; ++ow) {
      const auto [w0, w1] = window(ow, g.width, g.out_w, g.kernel_w, g.stride_w, g.pad_w, g.adaptive);
      visit(oh * g.out_w + ow, h0, h1, w0, w1);
    }
  }
}

// The divisor of an average window: the kernel area (padding counts), or the window's own area.
template <typename T>
T window_scale(const Pool2dGeometry& g, Index h0, Index h1, Index w0, Index w1) {
  return T(1) / static_cast<T>(g.adaptive ? (h1 - h0) * (w1 - w0) : static_cast<Index>(g.kernel_h * g.kernel_w));
}

// The common MaxPool2d(2): 2×2 windows, stride 2, no padding, every window inside the image.
bool is_plain_2x2(const Pool2dGeometry& g) {
  return !g.adaptive && g.kernel_h == 2 && g.kernel_w == 2 && g.stride_h == 2 && g.stride_w == 2 && g.pad_h == 0 &&
         g.pad_w == 0 && 2 * g.out_h <= g.height && 2 * g.out_w <= g.width;
}

template <typename T>
void max_forward(const T* x, T* y, std::int32_t* argmax, const Pool2dGeometry& g) {
  const std::size_t in_plane = g.height * g.width, out_plane = g.out_h * g.out_w;
  const bool plain_2x2 = is_plain_2x2(g);
#pragma omp parallel for schedule(static)
  for (Index p = 0; p < static_cast<Index>(g.planes); ++p) {
    const T* image = x + static_cast<std::size_t>(p) * in_plane;
    T* out = y + static_cast<std::size_t>(p) * out_plane;
    std::int32_t* out_index = argmax + static_cast<std::size_t>(p) * out_plane;
    if (plain_2x2) {
      max_pool_2x2(image, g.width, g.out_h, g.out_w, out, out_index);
      continue;
    }
    for_each_window(g, [&](std::size_t k, Index h0, Index h1, Index w0, Index w1) {
      MaxCandidate<T> m{.index = static_cast<std::int32_t>(h0 * static_cast<Index>(g.width) + w0)};
      for (Index h = h0; h < h1; ++h) {
        for (Index w = w0; w < w1; ++w) {
          const auto at = static_cast<std::int32_t>(h * static_cast<Index>(g.width) + w);
          m.offer(image[at], at);
        }
      }
      out[k] = m.best;
      out_index[k] = m.index;
    });
  }
}

template <typename T>
void max_backward(const T* gy, const std::int32_t* argmax, T* dx, const Pool2dGeometry& g) {
  const std::size_t in_plane = g.height * g.width, out_plane = g.out_h * g.out_w;
#pragma omp parallel for schedule(static)
  for (Index p = 0; p < static_cast<Index>(g.planes); ++p) {
    T* image = dx + static_cast<std::size_t>(p) * in_plane;
    std::fill_n(image, in_plane, T(0));
    for (std::size_t k = 0; k < out_plane; ++k) {
      const std::size_t at = static_cast<std::size_t>(p) * out_plane + k;
      image[argmax[at]] += gy[at];
    }
  }
}

template <typename T>
void avg_forward(const T* x, T* y, const Pool2dGeometry& g) {
  const std::size_t in_plane = g.height * g.width, out_plane = g.out_h * g.out_w;
#pragma omp parallel for schedule(static)
  for (Index p = 0; p < static_cast<Index>(g.planes); ++p) {
    const T* image = x + static_cast<std::size_t>(p) * in_plane;
    for_each_window(g, [&](std::size_t k, Index h0, Index h1, Index w0, Index w1) {
      T sum = 0;
      for (Index h = h0; h < h1; ++h) {
        for (Index w = w0; w < w1; ++w) sum += image[h * static_cast<Index>(g.width) + w];
      }
      y[static_cast<std::size_t>(p) * out_plane + k] = sum * window_scale<T>(g, h0, h1, w0, w1);
    });
  }
}

template <typename T>
void avg_backward(const T* gy, T* dx, const Pool2dGeometry& g) {
  const std::size_t in_plane = g.height * g.width, out_plane = g.out_h * g.out_w;
#pragma omp parallel for schedule(static)
  for (Index p = 0; p < static_cast<Index>(g.planes); ++p) {
    T* image = dx + static_cast<std::size_t>(p) * in_plane;
    std::fill_n(image, in_plane, T(0));
    for_each_window(g, [&](std::size_t k, Index h0, Index h1, Index w0, Index w1) {
      const T share = gy[static_cast<std::size_t>(p) * out_plane + k] * window_scale<T>(g, h0, h1, w0, w1);
      for (Index h = h0; h < h1; ++h) {
        for (Index w = w0; w < w1; ++w) image[h * static_cast<Index>(g.width) + w] += share;
      }
    });
  }
}

}  // namespace

void max_pool2d_forward(const float* x, float* y, std::int32_t* argmax, const Pool2dGeometry& g) { max_forward(x, y, argmax, g); }
void max_pool2d_forward(const double* x, double* y, std::int32_t* argmax, const Pool2dGeometry& g) { max_forward(x, y, argmax, g); }
void max_pool2d_backward(const float* gy, const std::int32_t* argmax, float* dx, const Pool2dGeometry& g) { max_backward(gy, argmax, dx, g); }
void max_pool2d_backward(const double* gy, const std::int32_t* argmax, double* dx, const Pool2dGeometry& g) { max_backward(gy, argmax, dx, g); }
void avg_pool2d_forward(const float* x, float* y, const Pool2dGeometry& g) { avg_forward(x, y, g); }
void avg_pool2d_forward(const double* x, double* y, const Pool2dGeometry& g) { avg_forward(x, y, g); }
void avg_pool2d_backward(const float* gy, float* dx, const Pool2dGeometry& g) { avg_backward(gy, dx, g); }
void avg_pool2d_backward(const double* gy, double* dx, const Pool2dGeometry& g) { avg_backward(gy, dx, g); }

}  // namespace lucid::kernels
