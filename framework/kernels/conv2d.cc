#include "framework/kernels/conv2d.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "framework/kernels/chunk_partials.h"
#include "framework/kernels/conv2d_onednn.h"
#include "framework/kernels/matmul.h"
#include "framework/kernels/parallel_for.h"
#include "framework/storage.h"

namespace lucid::kernels {
namespace {

using Index = std::ptrdiff_t;

// ⌈a / b⌉ for b > 0 and any sign of a.
Index div_ceil(Index a, Index b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// The output positions [lo, hi) along one axis whose input position o·stride + offset lies inside
// [0, size); the others read padding.
std::pair<std::size_t, std::size_t> inside_range(std::size_t out, std::size_t size, std::size_t stride, Index offset) {
  const Index s = static_cast<Index>(stride);
  const Index lo = std::clamp<Index>(div_ceil(-offset, s), 0, static_cast<Index>(out));
  const Index hi = std::clamp<Index>(div_ceil(static_cast<Index>(size) - offset, s), lo, static_cast<Index>(out));
  return {static_cast<std::size_t>(lo), static_cast<std::size_t>(hi)};
}

// Σ p[0..n) in double, as 8 interleaved partial sums (vectorisable; the order is fixed by n alone).
template <typename T>
double sum_in_double(const T* p, std::size_t n) {
  constexpr std::size_t kLanes = 8;
  double partial[kLanes] = {};
  std::size_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    for (std::size_t j = 0; j < kLanes; ++j) partial[j] += static_cast<double>(p[k + j]);
  }
  double total = 0;
  for (; k < n; ++k) total += static_cast<double>(p[k]);
  for (const double v : partial) total += v;
  return total;
}

// The output rows [lo, hi) of one kernel row i that read inside the image (ih = oh·s_h − p_h + i·d_h).
std::pair<std::size_t, std::size_t> inside_rows(const Conv2dGeometry& g, std::size_t i) {
  return inside_range(g.out_h, g.height, g.stride_h, static_cast<Index>(i * g.dilation_h) - static_cast<Index>(g.pad_h));
}

// One col row (c, i, j) when both strides are 1 and out_w = width ("same" width): output and input rows
// then have the same pitch, so all in-range output rows read one contiguous run of the input plane,
// shifted by a fixed offset. That run is copied at once, and the border columns [0, lo) and [hi, out_w),
// which the copy filled from neighbouring image rows, are zeroed afterwards.
template <typename T>
void im2col_row_same_width(const T* image, T* dst, const Conv2dGeometry& g, std::size_t i, Index col_offset,
                           std::size_t lo, std::size_t hi) {
  const std::size_t w = g.width, out_size = g.out_h * w;
  const auto [row_lo, row_hi] = inside_rows(g, i);
  if (lo >= hi || row_lo >= row_hi) {  // this kernel position reads padding only
    std::fill_n(dst, out_size, T(0));
    return;
  }
  const Index shift = (static_cast<Index>(i * g.dilation_h) - static_cast<Index>(g.pad_h)) * static_cast<Index>(w) + col_offset;
  const std::size_t first = row_lo * w + lo, last = (row_hi - 1) * w + hi;  // dst range to copy
  std::fill(dst, dst + first, T(0));
  std::copy(image + (static_cast<Index>(first) + shift), image + (static_cast<Index>(last) + shift), dst + first);
  std::fill(dst + last, dst + out_size, T(0));
  for (std::size_t oh = row_lo; oh < row_hi; ++oh) {
    std::fill(dst + oh * w, dst + oh * w + lo, T(0));
    std::fill(dst + oh * w + hi, dst + (oh + 1) * w, T(0));
  }
}

// col[(c,i,j), (oh,ow)] = x[c, oh·s − p + i·d, ow·s − p + j·d] for one sample x, 0 outside. Rows in
// parallel (unless already inside the loop over samples); each output row is zeros, a copied (or
// strided) run of the input row, zeros.
template <typename T>
void im2col(const T* x, T* col, const Conv2dGeometry& g) {
  const std::size_t plane = g.height * g.width, cols = g.col_cols();
  const bool same_width = g.stride_h == 1 && g.stride_w == 1 && g.out_w == g.width;
  detail::parallel_for(static_cast<Index>(g.col_rows()), [&](Index r) {
    const std::size_t c = static_cast<std::size_t>(r) / (g.kernel_h * g.kernel_w);
    const std::size_t i = (static_cast<std::size_t>(r) / g.kernel_w) % g.kernel_h;
    const std::size_t j = static_cast<std::size_t>(r) % g.kernel_w;
    const Index col_offset = static_cast<Index>(j * g.dilation_w) - static_cast<Index>(g.pad_w);
    const auto [lo, hi] = inside_range(g.out_w, g.width, g.stride_w, col_offset);
    const T* image = x + c * plane;
    T* col_row = col + static_cast<std::size_t>(r) * cols;
    if (same_width) {
      im2col_row_same_width(image, col_row, g, i, col_offset, lo, hi);
      return;
    }
    for (std::size_t oh = 0; oh < g.out_h; ++oh) {
      const Index ih = static_cast<Index>(oh * g.stride_h + i * g.dilation_h) - static_cast<Index>(g.pad_h);
      T* dst = col_row + oh * g.out_w;
      if (ih < 0 || ih >= static_cast<Index>(g.height)) {
        std::fill_n(dst, g.out_w, T(0));
        continue;
      }
      const T* src = image + static_cast<std::size_t>(ih) * g.width;
      std::fill(dst, dst + lo, T(0));
      if (g.stride_w == 1) {
        std::copy_n(src + (static_cast<Index>(lo) + col_offset), hi - lo, dst + lo);
      } else {
        for (std::size_t ow = lo; ow < hi; ++ow) dst[ow] = src[static_cast<Index>(ow * g.stride_w) + col_offset];
      }
      std::fill(dst + hi, dst + g.out_w, T(0));
    }
  });
}

// dx[c, ih, iw] of one sample = Σ of the col entries that im2col read from there. Channels in
// parallel (unless already inside the loop over samples), each channel's rows (i, j) added in a fixed
// order: deterministic.
template <typename T>
void col2im(const T* col, T* dx, const Conv2dGeometry& g) {
  const std::size_t plane = g.height * g.width, cols = g.col_cols();
  detail::parallel_for(static_cast<Index>(g.in_channels), [&](Index c) {
    T* image = dx + static_cast<std::size_t>(c) * plane;
    std::fill_n(image, plane, T(0));
    for (std::size_t i = 0; i < g.kernel_h; ++i) {
      for (std::size_t j = 0; j < g.kernel_w; ++j) {
        const T* src = col + ((static_cast<std::size_t>(c) * g.kernel_h + i) * g.kernel_w + j) * cols;
        const Index col_offset = static_cast<Index>(j * g.dilation_w) - static_cast<Index>(g.pad_w);
        const auto [lo, hi] = inside_range(g.out_w, g.width, g.stride_w, col_offset);
        for (std::size_t oh = 0; oh < g.out_h; ++oh) {
          const Index ih = static_cast<Index>(oh * g.stride_h + i * g.dilation_h) - static_cast<Index>(g.pad_h);
          if (ih < 0 || ih >= static_cast<Index>(g.height)) continue;
          T* dst = image + static_cast<std::size_t>(ih) * g.width;
          const T* row = src + oh * g.out_w;
          if (g.stride_w == 1) {  // contiguous: vectorised
            T* shifted = dst + col_offset;
            for (std::size_t ow = lo; ow < hi; ++ow) shifted[ow] += row[ow];
          } else {
            for (std::size_t ow = lo; ow < hi; ++ow) dst[static_cast<Index>(ow * g.stride_w) + col_offset] += row[ow];
          }
        }
      }
    }
  });
}

// A 1×1 kernel with stride 1 and no padding: a sample's column matrix is the sample itself
// (col[c, (oh,ow)] = x[c, oh, ow]), so no im2col copy is made and dx[n] = Wᵀ·gy[n] needs no col2im.
bool input_is_column_matrix(const Conv2dGeometry& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0;
}

// A thread's column-matrix buffer (none when the input is its own column matrix).
template <typename T>
std::unique_ptr<T[]> column_buffer(const Conv2dGeometry& g) {
  if (input_is_column_matrix(g)) return nullptr;
  return std::make_unique_for_overwrite<T[]>(g.col_rows() * g.col_cols());
}

// Sample x_n's column matrix: x_n itself, or its im2col into `col`.
template <typename T>
const T* columns_of(const T* x_n, T* col, const Conv2dGeometry& g) {
  if (input_is_column_matrix(g)) return x_n;
  im2col(x_n, col, g);
  return col;
}

// Samples in parallel (when there are several), each thread with its own column matrix.
template <typename T>
void forward_impl(const T* x, const T* w, const T* b, T* y, const Conv2dGeometry& g) {
  const std::size_t cols = g.col_cols(), gr = g.group_rows(), og = g.group_outputs();
  const std::size_t in_sample = g.in_channels * g.height * g.width, out_sample = g.out_channels * cols;
#pragma omp parallel if (g.batch > 1)
  {
    const auto col = column_buffer<T>(g);
#pragma omp for schedule(static)
    for (Index n = 0; n < static_cast<Index>(g.batch); ++n) {
      const T* columns = columns_of(x + static_cast<std::size_t>(n) * in_sample, col.get(), g);
      T* out = y + static_cast<std::size_t>(n) * out_sample;
      if (b) {  // y[n] = b broadcast over (oh, ow), then += W·col
        for (std::size_t o = 0; o < g.out_channels; ++o) std::fill_n(out + o * cols, cols, b[o]);
      }
      for (std::size_t k = 0; k < g.groups; ++k) {  // y[n] block k += W block k · col block k
        gemm(w + k * og * gr, columns + k * gr * cols, out + k * og * cols, og, cols, gr, false, false,
             /*accumulate=*/b != nullptr);
      }
    }
  }
}

// Samples in chunks of kSamplesPerChunk, chunks in parallel: a chunk's partial dW is accumulated in
// sample order, and dW is the sum of the partials in chunk order, so the result does not depend on
// the thread count.
constexpr std::size_t kSamplesPerChunk = 4;

// db[o] = Σ_n Σ_(oh,ow) gy[n, o], in float64, summed over n in order.
template <typename T>
void bias_gradient(const T* gy, T* db, const Conv2dGeometry& g) {
  const std::size_t cols = g.col_cols(), out_sample = g.out_channels * cols;
#pragma omp parallel for schedule(static)
  for (Index o = 0; o < static_cast<Index>(g.out_channels); ++o) {
    double total = 0;
    for (std::size_t n = 0; n < g.batch; ++n) total += sum_in_double(gy + n * out_sample + static_cast<std::size_t>(o) * cols, cols);
    db[o] = static_cast<T>(total);
  }
}

// dx and dW (db: bias_gradient) through im2col + GEMM.
template <typename T>
void backward_impl(const T* gy, const T* x, const T* w, T* dx, T* dw, const Conv2dGeometry& g) {
  const std::size_t cols = g.col_cols(), gr = g.group_rows(), og = g.group_outputs();
  const std::size_t in_sample = g.in_channels * g.height * g.width, out_sample = g.out_channels * cols;
  const std::size_t weights = g.out_channels * gr;  // elements of W
  if (dw && g.batch == 0) std::fill_n(dw, weights, T(0));
  const std::size_t chunks = (g.batch + kSamplesPerChunk - 1) / kSamplesPerChunk;
  // One chunk writes dW directly; several write partials that are summed below (in a recycled
  // Storage: a fresh allocation of this size would fault its pages in again every step).
  std::optional<Storage> partial_storage;
  if (dw && chunks > 1) partial_storage.emplace(chunks * weights * sizeof(T));
  T* const partials = partial_storage ? static_cast<T*>(partial_storage->data()) : nullptr;
#pragma omp parallel if (chunks > 1)
  {
    const auto col = column_buffer<T>(g);
#pragma omp for schedule(static)
    for (Index chunk = 0; chunk < static_cast<Index>(chunks); ++chunk) {
      T* dw_chunk = partials ? partials + static_cast<std::size_t>(chunk) * weights : dw;
      const std::size_t first = static_cast<std::size_t>(chunk) * kSamplesPerChunk;
      for (std::size_t n = first; n < std::min(first + kSamplesPerChunk, g.batch); ++n) {
        const T* gy_n = gy + n * out_sample;  // o × (oh, ow)
        if (dw) {  // dW_chunk (+)= gy[n]·col[n]ᵀ
          const T* columns = columns_of(x + n * in_sample, col.get(), g);
          for (std::size_t k = 0; k < g.groups; ++k) {
            gemm(gy_n + k * og * cols, columns + k * gr * cols, dw_chunk + k * og * gr, og, gr, cols, false, true,
                 /*accumulate=*/n > first);
          }
        }
        if (dx) {  // dx[n] = col2im(Wᵀ·gy[n]), or Wᵀ·gy[n] itself when x is its own column matrix
          T* dcol = col ? col.get() : dx + n * in_sample;
          for (std::size_t k = 0; k < g.groups; ++k) {
            gemm(w + k * og * gr, gy_n + k * og * cols, dcol + k * gr * cols, gr, cols, og, true, false);
          }
          if (col) col2im(col.get(), dx + n * in_sample, g);
        }
      }
    }
  }
  if (partials) detail::sum_chunk_partials(partials, chunks, weights, dw);  // dW = Σ_chunk dW_chunk
}

// float32 convolutions run on oneDNN's convolution primitives except where im2col + GEMM measured faster
// (bench/conv2d.sh, one thread, minima of 4 repetitions, the same build switched by hand):
//   - one input channel (Fashion-MNIST's first layer, (128, 1, 28, 28) → 32, 3×3): forward on a par
//     (2.5 against 2.7 ms), forward+backward 23.4 ms on oneDNN against 9.9 ms;
//   - 1×1, stride 1, no padding, where x is its own column matrix: (64, 32, 28, 28) → 64 forward 5.3 against
//     4.1 ms, forward+backward 17.3 against 14.1 ms; (64, 128, 14, 14) → 64 5.0 against 3.1 ms and 14.7
//     against 11.5 ms.
// oneDNN won every other case, forward+backward: 3×3 at 28, 14 and 7 px by 1.05–1.35×, stride 2 by 1.26×,
// depthwise (32, 64, 28, 28) g64 by 4.3× (9.6 against 40.8 ms), one sample (1, 64, 32, 32) by 1.35×.
// Inputs of 2 or 3 channels were not measured and stay on im2col + GEMM with the single channel.
// float64 always takes im2col + GEMM (oneDNN has no double convolution).
bool runs_on_onednn(const Conv2dGeometry& g) { return g.in_channels >= 4 && !input_is_column_matrix(g) && g.batch > 0; }

}  // namespace

void conv2d_forward(const float* x, const float* w, const float* b, float* y, const Conv2dGeometry& g) {
  if (runs_on_onednn(g)) {
    onednn_conv2d_forward(x, w, b, y, g);
  } else {
    forward_impl(x, w, b, y, g);
  }
}
void conv2d_forward(const double* x, const double* w, const double* b, double* y, const Conv2dGeometry& g) {
  forward_impl(x, w, b, y, g);
}
void conv2d_backward(const float* gy, const float* x, const float* w, float* dx, float* dw, float* db,
                     const Conv2dGeometry& g) {
  if (db) bias_gradient(gy, db, g);
  if (runs_on_onednn(g)) {
    onednn_conv2d_backward(gy, x, w, dx, dw, g);
  } else {
    backward_impl(gy, x, w, dx, dw, g);
  }
}
void conv2d_backward(const double* gy, const double* x, const double* w, double* dx, double* dw, double* db,
                     const Conv2dGeometry& g) {
  if (db) bias_gradient(gy, db, g);
  backward_impl(gy, x, w, dx, dw, g);
}

}  // namespace lucid::kernels
