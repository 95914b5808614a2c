#include "framework/kernels/conv2d.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "framework/kernels/chunk_partials.h"
#include "framework/kernels/conv2d_onednn.h"
#include "framework/kernels/matmul.h"
#include "framework/kernels/parallel_for.h"
#include "framework/kernels/thin_gemm.h"
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
void im2col(const T* x, T* col, std::size_t row_stride, const Conv2dGeometry& g) {
  const std::size_t plane = g.height * g.width;
  const bool same_width = g.stride_h == 1 && g.stride_w == 1 && g.out_w == g.width;
  detail::parallel_for(static_cast<Index>(g.col_rows()), [&](Index r) {
    const std::size_t c = static_cast<std::size_t>(r) / (g.kernel_h * g.kernel_w);
    const std::size_t i = (static_cast<std::size_t>(r) / g.kernel_w) % g.kernel_h;
    const std::size_t j = static_cast<std::size_t>(r) % g.kernel_w;
    const Index col_offset = static_cast<Index>(j * g.dilation_w) - static_cast<Index>(g.pad_w);
    const auto [lo, hi] = inside_range(g.out_w, g.width, g.stride_w, col_offset);
    const T* image = x + c * plane;
    T* col_row = col + static_cast<std::size_t>(r) * row_stride;
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

// Whether a sample's products go through thin_gemm.h's kernels: float32 with a column matrix of at most
// kThinGemmMaxK rows per group (one to three input channels of a 3×3 kernel).
template <typename T>
bool uses_thin_gemm(const Conv2dGeometry& g) {
  return std::is_same_v<T, float> && g.group_rows() <= kThinGemmMaxK;
}

// The distance between the rows of a sample's column matrix: out_h·out_w, except where the thin products
// read im2col's buffer. They load all k rows at one column together, and rows a multiple of 1 KiB apart
// (a 32×32 or 64×64 output) fall into a few of the L1 cache's sets, which hold 8 lines each, and evict
// each other: there the rows are padded to a whole number of cache lines, plus one line when that is
// still a multiple of 1 KiB ((128, 3, 64, 64) → 16, 3×3: the forward in 9.8 ms against 12.8 ms without).
template <typename T>
std::size_t column_stride(const Conv2dGeometry& g) {
  const std::size_t cols = g.col_cols();
  if (input_is_column_matrix(g) || !uses_thin_gemm<T>(g)) return cols;
  constexpr std::size_t kLine = 64 / sizeof(T);
  std::size_t stride = (cols + kLine - 1) / kLine * kLine;
  if (stride * sizeof(T) % 1024 == 0) stride += kLine;
  return stride;
}

// A thread's column-matrix buffer (none when the input is its own column matrix).
template <typename T>
std::unique_ptr<T[]> column_buffer(const Conv2dGeometry& g) {
  if (input_is_column_matrix(g)) return nullptr;
  return std::make_unique_for_overwrite<T[]>(g.col_rows() * column_stride<T>(g));
}

// Sample x_n's column matrix (rows column_stride apart): x_n itself, or its im2col into `col`.
template <typename T>
const T* columns_of(const T* x_n, T* col, const Conv2dGeometry& g) {
  if (input_is_column_matrix(g)) return x_n;
  im2col(x_n, col, column_stride<T>(g), g);
  return col;
}

// y[n] = W·col[n] (+ b), group by group.
template <typename T>
void sample_forward(const T* w, const T* columns, const T* b, T* out, const Conv2dGeometry& g) {
  const std::size_t cols = g.col_cols(), gr = g.group_rows(), og = g.group_outputs();
  if constexpr (std::is_same_v<T, float>) {
    if (uses_thin_gemm<T>(g)) {
      const std::size_t stride = column_stride<T>(g);
      for (std::size_t k = 0; k < g.groups; ++k) {
        thin_gemm(w + k * og * gr, columns + k * gr * stride, stride, b ? b + k * og : nullptr, out + k * og * cols,
                  og, cols, gr);
      }
      return;
    }
  }
  if (b) {  // y[n] = b broadcast over (oh, ow), then += W·col
    for (std::size_t o = 0; o < g.out_channels; ++o) std::fill_n(out + o * cols, cols, b[o]);
  }
  for (std::size_t k = 0; k < g.groups; ++k) {  // y[n] block k += W block k · col block k
    gemm(w + k * og * gr, columns + k * gr * cols, out + k * og * cols, og, cols, gr, false, false,
         /*accumulate=*/b != nullptr);
  }
}

// Samples in parallel (when there are several), each thread with its own column matrix.
template <typename T>
void forward_impl(const T* x, const T* w, const T* b, T* y, const Conv2dGeometry& g) {
  const std::size_t in_sample = g.in_channels * g.height * g.width, out_sample = g.out_channels * g.col_cols();
#pragma omp parallel if (g.batch > 1)
  {
    const auto col = column_buffer<T>(g);
#pragma omp for schedule(static)
    for (Index n = 0; n < static_cast<Index>(g.batch); ++n) {
      const T* columns = columns_of(x + static_cast<std::size_t>(n) * in_sample, col.get(), g);
      sample_forward(w, columns, b, y + static_cast<std::size_t>(n) * out_sample, g);
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

// dW_chunk (+)= gy[n]·col[n]ᵀ, group by group; with thin_gemm's kernels also db_chunk (+)= Σ_(oh,ow) gy[n]
// from the same pass (db_chunk null: not wanted, or bias_gradient's).
template <typename T>
void sample_weight_gradient(const T* gy_n, const T* columns, T* dw_chunk, T* db_chunk, bool accumulate,
                            const Conv2dGeometry& g) {
  const std::size_t cols = g.col_cols(), gr = g.group_rows(), og = g.group_outputs();
  for (std::size_t k = 0; k < g.groups; ++k) {
    if constexpr (std::is_same_v<T, float>) {
      if (uses_thin_gemm<T>(g)) {
        const std::size_t stride = column_stride<T>(g);
        thin_gemm_gradient(gy_n + k * og * cols, columns + k * gr * stride, stride, dw_chunk + k * og * gr,
                           db_chunk ? db_chunk + k * og : nullptr, og, cols, gr, accumulate);
        continue;
      }
    }
    gemm(gy_n + k * og * cols, columns + k * gr * cols, dw_chunk + k * og * gr, og, gr, cols, false, true, accumulate);
  }
}

// dx, dW and db through im2col + GEMM (db from bias_gradient, or with dW when the products are thin).
template <typename T>
void backward_impl(const T* gy, const T* x, const T* w, T* dx, T* dw, T* db, const Conv2dGeometry& g) {
  const std::size_t cols = g.col_cols(), gr = g.group_rows(), og = g.group_outputs();
  const std::size_t in_sample = g.in_channels * g.height * g.width, out_sample = g.out_channels * cols;
  const bool bias_with_weights = dw && db && uses_thin_gemm<T>(g);
  if (db && !bias_with_weights) bias_gradient(gy, db, g);
  // A chunk's partial: dW, then db when it comes from the same pass.
  const std::size_t weights = g.out_channels * gr, partial_size = weights + (bias_with_weights ? g.out_channels : 0);
  if (dw && g.batch == 0) {
    std::fill_n(dw, weights, T(0));
    if (bias_with_weights) std::fill_n(db, g.out_channels, T(0));
  }
  const std::size_t chunks = (g.batch + kSamplesPerChunk - 1) / kSamplesPerChunk;
  // One chunk writes dW (and db) directly; several write partials that are summed below (in a recycled
  // Storage: a fresh allocation of this size would fault its pages in again every step).
  std::optional<Storage> partial_storage;
  if (dw && chunks > 1) partial_storage.emplace(chunks * partial_size * sizeof(T));
  T* const partials = partial_storage ? static_cast<T*>(partial_storage->data()) : nullptr;
#pragma omp parallel if (chunks > 1)
  {
    const auto col = column_buffer<T>(g);
#pragma omp for schedule(static)
    for (Index chunk = 0; chunk < static_cast<Index>(chunks); ++chunk) {
      T* dw_chunk = partials ? partials + static_cast<std::size_t>(chunk) * partial_size : dw;
      T* db_chunk = !bias_with_weights ? nullptr : partials ? dw_chunk + weights : db;
      const std::size_t first = static_cast<std::size_t>(chunk) * kSamplesPerChunk;
      for (std::size_t n = first; n < std::min(first + kSamplesPerChunk, g.batch); ++n) {
        const T* gy_n = gy + n * out_sample;  // o × (oh, ow)
        if (dw) {
          const T* columns = columns_of(x + n * in_sample, col.get(), g);
          sample_weight_gradient(gy_n, columns, dw_chunk, db_chunk, /*accumulate=*/n > first, g);
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
  if (!partials) return;
  detail::sum_chunk_partials(partials, chunks, partial_size, partials);  // Σ_chunk, into chunk 0's partial
  std::copy_n(partials, weights, dw);
  if (bias_with_weights) std::copy_n(partials + weights, g.out_channels, db);
}

// float32 convolutions run on oneDNN's convolution primitives except where im2col + GEMM measured faster
// (bench/conv2d.sh, one thread, minima of 4 repetitions, the same build switched by hand):
//   - inputs of 1 to 3 channels, whose column matrix is thin (thin_gemm.h), (128, C, H, W), 3×3, padding 1,
//     forward / backward without dx (an image model's first layer) in ms, minima of 40 calls, thin products
//     against oneDNN (2026-12-06): C = 1, 28×28 → 32:
//     1.0 / 1.6 against 1.9 / 8.2; C = 3, 32×32 → 32: 3.7 / 5.4 against 4.0 / 5.2, → 64: 6.5 / 10.6
//     against 8.0 / 11.6; but C = 3, 64×64 → 16: 9.8 / 13.0 against 8.2 / 10.6, the one case measured
//     where oneDNN was faster;
//   - 1×1, stride 1, no padding, where x is its own column matrix: (64, 32, 28, 28) → 64 forward 5.3 against
//     4.1 ms, forward+backward 17.3 against 14.1 ms; (64, 128, 14, 14) → 64 5.0 against 3.1 ms and 14.7
//     against 11.5 ms.
// oneDNN won every other case, forward+backward: 3×3 at 28, 14 and 7 px by 1.05–1.35×, stride 2 by 1.26×,
// depthwise (32, 64, 28, 28) g64 by 4.3× (9.6 against 40.8 ms), one sample (1, 64, 32, 32) by 1.35×.
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
  if (runs_on_onednn(g)) {
    if (db) bias_gradient(gy, db, g);
    onednn_conv2d_backward(gy, x, w, dx, dw, g);
  } else {
    backward_impl(gy, x, w, dx, dw, db, g);
  }
}
void conv2d_backward(const double* gy, const double* x, const double* w, double* dx, double* dw, double* db,
                     const Conv2dGeometry& g) {
  backward_impl(gy, x, w, dx, dw, db, g);
}

}  // namespace lucid::kernels
