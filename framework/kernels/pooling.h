// 2-D pooling over (N, C, H, W) planes (no autograd). Planes run in parallel; each output element
// is computed in a fixed order, so results do not depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lucid::kernels {

struct Pool2dGeometry {
  std::size_t planes;  // N·C
  std::size_t height, width;
  std::size_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  std::size_t out_h, out_w;  // (H + 2p − k) / s + 1
  // Adaptive windows (kernel, stride and padding unused): output i covers [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉).
  bool adaptive = false;
};

// y = max over each window (padding never wins); argmax[k] = the flat index in its plane.
void max_pool2d_forward(const float* x, float* y, std::int32_t* argmax, const Pool2dGeometry& g);
void max_pool2d_forward(const double* x, double* y, std::int32_t* argmax, const Pool2dGeometry& g);
// dx (overwritten) = Σ of gy at the argmax positions.
void max_pool2d_backward(const float* gy, const std::int32_t* argmax, float* dx, const Pool2dGeometry& g);
void max_pool2d_backward(const double* gy, const std::int32_t* argmax, double* dx, const Pool2dGeometry& g);

// y = Σ window / (kernel_h·kernel_w), padding counted as zeros (PyTorch's count_include_pad=True);
// adaptive windows divide by their own area.
void avg_pool2d_forward(const float* x, float* y, const Pool2dGeometry& g);
void avg_pool2d_forward(const double* x, double* y, const Pool2dGeometry& g);
// dx (overwritten) = each gy spread evenly over its window.
void avg_pool2d_backward(const float* gy, float* dx, const Pool2dGeometry& g);
void avg_pool2d_backward(const double* gy, double* dx, const Pool2dGeometry& g);

}  // namespace lucid::kernels
