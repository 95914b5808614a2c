// 2-D convolution as im2col + one BLAS GEMM over the whole batch (no autograd).
//
//   y[n, o, oh, ow] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[n, c, oh·s_h − p_h + i·d_h, ow·s_w − p_w + j·d_w]
//
// with x read as 0 outside the image. The column matrix col[(c,i,j), (n,oh,ow)] holds those x values,
// so y (as o × (n,oh,ow)) = W (o × (c,i,j)) · col, and the backward is two more GEMMs plus col2im.
#pragma once

#include <cstddef>

namespace lucid::kernels {

struct Conv2dGeometry {
  std::size_t batch, in_channels, height, width;
  std::size_t out_channels, kernel_h, kernel_w;
  std::size_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
  std::size_t out_h, out_w;  // (height + 2p − d·(k − 1) − 1) / s + 1

  std::size_t col_rows() const { return in_channels * kernel_h * kernel_w; }
  std::size_t col_cols() const { return batch * out_h * out_w; }
};

// y (N, O, OH, OW) from x (N, C, H, W), w (O, C, KH, KW) and b (O,) or nullptr.
void conv2d_forward(const float* x, const float* w, const float* b, float* y, const Conv2dGeometry& g);
void conv2d_forward(const double* x, const double* w, const double* b, double* y, const Conv2dGeometry& g);

// From the output gradient gy: dx (or nullptr) = col2im(Wᵀ·gy'), dw (or nullptr) = gy'·colᵀ,
// db (or nullptr) = Σ_{n,oh,ow} gy, where gy' is gy as o × (n,oh,ow). Each output is overwritten.
void conv2d_backward(const float* gy, const float* x, const float* w, float* dx, float* dw, float* db,
                     const Conv2dGeometry& g);
void conv2d_backward(const double* gy, const double* x, const double* w, double* dx, double* dw, double* db,
                     const Conv2dGeometry& g);

}  // namespace lucid::kernels
