// float32 2-D convolution through oneDNN's convolution primitives (its direct JIT kernels on blocked
// layouts, what PyTorch runs), for the shapes where they beat im2col + GEMM; conv2d.cc dispatches.
//
//   y[n] = conv(x[n], w) + b,  dx[n] = conv_backward_data(gy[n], w),  dW = Σ_n conv_backward_weights(x[n], gy[n])
//
// Samples run in fixed chunks (a count set by the shape alone), chunks in parallel, every oneDNN call
// single-threaded: x, gy chunks are reordered from NCHW into the primitive's layout, results reordered
// back. dW is summed per chunk, then over the chunks in chunk order, so results do not depend on the
// thread count.
#pragma once

#include <cstddef>

#include "framework/kernels/conv2d.h"

namespace lucid::kernels {

// y (N, O, OH, OW) from x (N, C, H, W), w (O, C, KH, KW) and b (O,) or nullptr.
void onednn_conv2d_forward(const float* x, const float* w, const float* b, float* y, const Conv2dGeometry& g);

// dx (or nullptr) and dw (or nullptr) from the output gradient gy; each is overwritten.
void onednn_conv2d_backward(const float* gy, const float* x, const float* w, float* dx, float* dw,
                            const Conv2dGeometry& g);

// The primitives (one per geometry, chunk size and pass) are cached, the most recently used
// kMaxOnednnConvPlans of them; onednn_conv_plans_cached() is how many are kept now.
inline constexpr std::size_t kMaxOnednnConvPlans = 256;
std::size_t onednn_conv_plans_cached();

}  // namespace lucid::kernels
