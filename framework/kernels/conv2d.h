// 2-D convolution (no autograd): float32 mostly on oneDNN's convolution primitives (conv2d_onednn.h;
// conv2d.cc's runs_on_onednn has the rule and its measurements), else as im2col + GEMM
// (kernels::gemm), one sample per thread at a time, described here.
//
//   y[n, o, oh, ow] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[n, c, oh·s_h − p_h + i·d_h, ow·s_w − p_w + j·d_w]
//
// with x read as 0 outside the image. A sample's column matrix col[(c,i,j), (oh,ow)] holds those x
// values, so y[n] (as o × (oh,ow), its memory layout) = W (o × (c,i,j)) · col. The column matrix of
// one sample stays in cache between im2col and the GEMM, and no output needs reordering. Backward:
// dW = Σ_n gy[n]·col[n]ᵀ (accumulated in sample order within fixed chunks of samples, then over the
// chunks in order: the same result on any thread count), dx[n] = col2im(Wᵀ·gy[n]). With groups,
// col's rows for group k's channels are contiguous, and each product above runs once per group on
// the matching blocks of W, col and y. A 1×1 stride-1 unpadded kernel uses x[n] itself as col.
#pragma once

#include <cstddef>

namespace lucid::kernels {

struct Conv2dGeometry {
  std::size_t batch, in_channels, height, width;
  std::size_t out_channels, kernel_h, kernel_w;
  std::size_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
  std::size_t out_h, out_w;  // (height + 2p − d·(k − 1) − 1) / s + 1

  std::size_t groups = 1;    // w is (O, C / groups, KH, KW); output group k reads input group k only
  std::size_t col_rows() const { return in_channels * kernel_h * kernel_w; }
  std::size_t group_rows() const { return col_rows() / groups; }  // the rows of col one group reads
  std::size_t group_outputs() const { return out_channels / groups; }
  std::size_t col_cols() const { return out_h * out_w; }  // per sample
};

// y (N, O, OH, OW) from x (N, C, H, W), w (O, C, KH, KW) and b (O,) or nullptr.
void conv2d_forward(const float* x, const float* w, const float* b, float* y, const Conv2dGeometry& g);
void conv2d_forward(const double* x, const double* w, const double* b, double* y, const Conv2dGeometry& g);

// From the output gradient gy: dx (or nullptr), dw (or nullptr) and db (or nullptr) = Σ_{n,oh,ow} gy.
// Each output is overwritten.
void conv2d_backward(const float* gy, const float* x, const float* w, float* dx, float* dw, float* db,
                     const Conv2dGeometry& g);
void conv2d_backward(const double* gy, const double* x, const double* w, double* dx, double* dw, double* db,
                     const Conv2dGeometry& g);

}  // namespace lucid::kernels
