#include "framework/kernels/conv2d.h"

#include <algorithm>
#include <cstdint>
#include <memory>

#include "framework/kernels/matmul.h"

namespace lucid::kernels {
namespace {

using Index = std::ptrdiff_t;

// col[(c,i,j), (n,oh,ow)] = x[n, c, oh·s − p + i·d, ow·s − p + j·d], 0 outside. Rows in parallel.
template <typename T>
void im2col(const T* x, T* col, const Conv2dGeometry& g) {
  const Index rows = static_cast<Index>(g.col_rows()), cols = static_cast<Index>(g.col_cols());
  const std::size_t plane = g.height * g.width, out_plane = g.out_h * g.out_w;
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    const std::size_t c = static_cast<std::size_t>(r) / (g.kernel_h * g.kernel_w);
    const std::size_t i = (static_cast<std::size_t>(r) / g.kernel_w) % g.kernel_h;
    const std::size_t j = static_cast<std::size_t>(r) % g.kernel_w;
    T* out = col + r * cols;
    for (std::size_t n = 0; n < g.batch; ++n) {
      const T* image = x + (n * g.in_channels + c) * plane;
      for (std::size_t oh = 0; oh < g.out_h; ++oh) {
        const Index ih = static_cast<Index>(oh * g.stride_h + i * g.dilation_h) - static_cast<Index>(g.pad_h);
        T* dst = out + n * out_plane + oh * g.out_w;
        if (ih < 0 || ih >= static_cast<Index>(g.height)) {
          std::fill_n(dst, g.out_w, T(0));
          continue;
        }
        const T* src = image + static_cast<std::size_t>(ih) * g.width;
        for (std::size_t ow = 0; ow < g.out_w; ++ow) {
          const Index iw = static_cast<Index>(ow * g.stride_w + j * g.dilation_w) - static_cast<Index>(g.pad_w);
          dst[ow] = (iw < 0 || iw >= static_cast<Index>(g.width)) ? T(0) : src[iw];
        }
      }
    }
  }
}

// dx[n, c, ih, iw] = Σ of the col entries that im2col read from there. One (n, c) plane per
// iteration, its rows (i, j) added in a fixed order: deterministic in parallel.
template <typename T>
void col2im(const T* col, T* dx, const Conv2dGeometry& g) {
  const Index planes = static_cast<Index>(g.batch * g.in_channels);
  const std::size_t plane = g.height * g.width, out_plane = g.out_h * g.out_w, cols = g.col_cols();
#pragma omp parallel for schedule(static)
  for (Index p = 0; p < planes; ++p) {
    const std::size_t n = static_cast<std::size_t>(p) / g.in_channels, c = static_cast<std::size_t>(p) % g.in_channels;
    T* image = dx + static_cast<std::size_t>(p) * plane;
    std::fill_n(image, plane, T(0));
    for (std::size_t i = 0; i < g.kernel_h; ++i) {
      for (std::size_t j = 0; j < g.kernel_w; ++j) {
        const T* src = col + ((c * g.kernel_h + i) * g.kernel_w + j) * cols + n * out_plane;
        for (std::size_t oh = 0; oh < g.out_h; ++oh) {
          const Index ih = static_cast<Index>(oh * g.stride_h + i * g.dilation_h) - static_cast<Index>(g.pad_h);
          if (ih < 0 || ih >= static_cast<Index>(g.height)) continue;
          T* dst = image + static_cast<std::size_t>(ih) * g.width;
          for (std::size_t ow = 0; ow < g.out_w; ++ow) {
            const Index iw = static_cast<Index>(ow * g.stride_w + j * g.dilation_w) - static_cast<Index>(g.pad_w);
            if (iw >= 0 && iw < static_cast<Index>(g.width)) dst[iw] += src[oh * g.out_w + ow];
          }
        }
      }
    }
  }
}

template <typename T>
void forward_impl(const T* x, const T* w, const T* b, T* y, const Conv2dGeometry& g) {
  const std::size_t rows = g.col_rows(), cols = g.col_cols(), out_plane = g.out_h * g.out_w;
  auto col = std::make_unique_for_overwrite<T[]>(rows * cols);
  im2col(x, col.get(), g);
  auto out = std::make_unique_for_overwrite<T[]>(g.out_channels * cols);  // o × (n, oh, ow)
  gemm(w, col.get(), out.get(), g.out_channels, cols, rows, false, false);
  // y[n, o, :] = out[o, n, :] + b[o]
  const Index items = static_cast<Index>(g.batch * g.out_channels);
#pragma omp parallel for schedule(static)
  for (Index item = 0; item < items; ++item) {
    const std::size_t n = static_cast<std::size_t>(item) / g.out_channels, o = static_cast<std::size_t>(item) % g.out_channels;
    const T bias = b ? b[o] : T(0);
    const T* src = out.get() + o * cols + n * out_plane;
    T* dst = y + static_cast<std::size_t>(item) * out_plane;
    for (std::size_t k = 0; k < out_plane; ++k) dst[k] = src[k] + bias;
  }
}

template <typename T>
void backward_impl(const T* gy, const T* x, const T* w, T* dx, T* dw, T* db, const Conv2dGeometry& g) {
  const std::size_t rows = g.col_rows(), cols = g.col_cols(), out_plane = g.out_h * g.out_w;
  auto gy_t = std::make_unique_for_overwrite<T[]>(g.out_channels * cols);  // gy as o × (n, oh, ow)
  const Index items = static_cast<Index>(g.batch * g.out_channels);
#pragma omp parallel for schedule(static)
  for (Index item = 0; item < items; ++item) {
    const std::size_t n = static_cast<std::size_t>(item) / g.out_channels, o = static_cast<std::size_t>(item) % g.out_channels;
    std::copy_n(gy + static_cast<std::size_t>(item) * out_plane, out_plane, gy_t.get() + o * cols + n * out_plane);
  }
  if (db) {
    for (std::size_t o = 0; o < g.out_channels; ++o) {
      double total = 0;
      for (std::size_t k = 0; k < cols; ++k) total += gy_t[o * cols + k];
      db[o] = static_cast<T>(total);
    }
  }
  if (dw) {
    auto col = std::make_unique_for_overwrite<T[]>(rows * cols);
    im2col(x, col.get(), g);
    gemm(gy_t.get(), col.get(), dw, g.out_channels, rows, cols, false, true);
  }
  if (dx) {
    auto dcol = std::make_unique_for_overwrite<T[]>(rows * cols);
    gemm(w, gy_t.get(), dcol.get(), rows, cols, g.out_channels, true, false);
    col2im(dcol.get(), dx, g);
  }
}

}  // namespace

void conv2d_forward(const float* x, const float* w, const float* b, float* y, const Conv2dGeometry& g) {
  forward_impl(x, w, b, y, g);
}
void conv2d_forward(const double* x, const double* w, const double* b, double* y, const Conv2dGeometry& g) {
  forward_impl(x, w, b, y, g);
}
void conv2d_backward(const float* gy, const float* x, const float* w, float* dx, float* dw, float* db,
                     const Conv2dGeometry& g) {
  backward_impl(gy, x, w, dx, dw, db, g);
}
void conv2d_backward(const double* gy, const double* x, const double* w, double* dx, double* dw, double* db,
                     const Conv2dGeometry& g) {
  backward_impl(gy, x, w, dx, dw, db, g);
}

}  // namespace lucid::kernels
