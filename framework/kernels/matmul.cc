#include "framework/kernels/matmul.h"

#include <algorithm>

#include <cblas.h>

namespace lucid::kernels {
namespace {

// The output is cut into a grid of blocks that depends on (m, n) alone: the longer side into at most
// kMaxBlocks pieces of at least kMinBlock rows or columns (a multiple of 16, the kernels' tile), or no
// cut for small products. Blocks run in parallel, each one a single-threaded BLAS call (OpenBLAS's
// OpenMP build runs one thread inside an active parallel region). Every element's K-sum therefore
// goes through the same kernel on the same block shape whatever the thread count: OpenBLAS's own
// threading changes its kernels and summation order with the thread count (measured on AVX-512).
constexpr std::size_t kMinBlock = 64;
constexpr std::size_t kMaxBlocks = 8;
constexpr double kMinProductToCut = 256.0 * 256.0 * 256.0;  // m·n·k

struct BlockGrid {
  bool split_rows;         // cut M (else N)
  std::size_t block;       // rows or columns per block
  std::size_t count;       // number of blocks
};

BlockGrid block_grid(std::size_t m, std::size_t n, std::size_t k) {
  const bool split_rows = m >= n;
  const std::size_t side = split_rows ? m : n;
  std::size_t count = 1;
  if (static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) >= kMinProductToCut) {
    count = std::clamp<std::size_t>(side / kMinBlock, 1, kMaxBlocks);
  }
  const std::size_t block = (side / count + 15) / 16 * 16;
  return {split_rows, block, (side + block - 1) / block};
}

template <typename T, typename Gemm>
void gemm_impl(Gemm blas, const T* a, const T* b, T* c, std::size_t m, std::size_t n, std::size_t k,
               bool transpose_a, bool transpose_b, bool accumulate) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: C = 0 (or unchanged when accumulating)
    if (!accumulate) std::fill_n(c, m * n, T(0));
    return;
  }
  const blasint lda = static_cast<blasint>(transpose_a ? m : k), ldb = static_cast<blasint>(transpose_b ? k : n);
  const BlockGrid grid = block_grid(m, n, k);
  // Always inside a parallel region, even for one block, so that BLAS never starts threads itself.
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(grid.count); ++i) {
    const std::size_t first = static_cast<std::size_t>(i) * grid.block;
    const std::size_t size = std::min(grid.block, (grid.split_rows ? m : n) - first);
    // Rows [first, first + size) of op(A) and C, or columns of op(B) and C.
    const T* a_block = grid.split_rows ? a + first * (transpose_a ? 1 : k) : a;
    const T* b_block = grid.split_rows ? b : b + first * (transpose_b ? k : 1);
    T* c_block = grid.split_rows ? c + first * n : c + first;
    const auto M = static_cast<blasint>(grid.split_rows ? size : m), N = static_cast<blasint>(grid.split_rows ? n : size);
    blas(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, M, N,
         static_cast<blasint>(k), T(1), a_block, lda, b_block, ldb, accumulate ? T(1) : T(0), c_block,
         static_cast<blasint>(n));
  }
}

}  // namespace

void gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool transpose_a,
          bool transpose_b, bool accumulate) {
  gemm_impl(cblas_sgemm, a, b, c, m, n, k, transpose_a, transpose_b, accumulate);
}

void gemm(const double* a, const double* b, double* c, std::size_t m, std::size_t n, std::size_t k,
          bool transpose_a, bool transpose_b, bool accumulate) {
  gemm_impl(cblas_dgemm, a, b, c, m, n, k, transpose_a, transpose_b, accumulate);
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  const std::int64_t m = transpose_a ? a.size(1) : a.size(0);
  const std::int64_t k = transpose_a ? a.size(0) : a.size(1);
  const std::int64_t n = transpose_b ? b.size(0) : b.size(1);
  Tensor c = Tensor::empty({m, n}, a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    gemm(a.data<T>(), b.data<T>(), c.data<T>(), static_cast<std::size_t>(m), static_cast<std::size_t>(n),
         static_cast<std::size_t>(k), transpose_a, transpose_b);
  });
  return c;
}

}  // namespace lucid::kernels
