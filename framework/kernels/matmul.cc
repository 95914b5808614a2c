#include "framework/kernels/matmul.h"

#include <algorithm>
#include <string>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include "framework/errors.h"
#include "framework/kernels/parallel_for.h"
#include "framework/kernels/layout.h"

namespace lucid::kernels {
namespace {

// The output is cut into a grid of blocks that depends on (m, n) alone: the longer side into at most
// kMaxBlocks pieces of at least kMinBlock rows or columns (a multiple of 16, the kernels' tile), or no
// cut for small products. Blocks run in parallel, each one a single-threaded GEMM call (oneDNN and
// OpenBLAS's OpenMP build run one thread inside an active parallel region). Every element's K-sum
// therefore goes through the same kernel on the same block shape whatever the thread count: OpenBLAS's
// own threading changes its kernels and summation order with the thread count (measured on AVX-512).
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

// One single-threaded row-major GEMM call: C = op(A)·op(B) + beta·C.
// float: oneDNN's dnnl_sgemm, whose JIT kernels use AVX-512 where the CPU has it (Debian's OpenBLAS
// 0.3.21 runs AVX2 kernels on AVX-512 AMD CPUs; dnnl_sgemm measured 1.7–3× faster on the example's
// convolution shapes). double: OpenBLAS's cblas_dgemm (oneDNN has no double GEMM).
void gemm_call(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
               std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  const auto dim = [](std::size_t v) { return static_cast<dnnl_dim_t>(v); };
  const dnnl_status_t status = dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', dim(m), dim(n), dim(k),
                                          1.0F, a, dim(lda), b, dim(ldb), beta, c, dim(ldc));
  if (status != dnnl_success) {
    throw RuntimeError("gemm: dnnl_sgemm failed with status " + std::to_string(static_cast<int>(status)));
  }
}

void gemm_call(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const double* a,
               std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
  const auto dim = [](std::size_t v) { return static_cast<blasint>(v); };
  cblas_dgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
              dim(m), dim(n), dim(k), 1.0, a, dim(lda), b, dim(ldb), beta, c, dim(ldc));
}

// `batch` products C_i = op(A_i)·op(B_i), the matrices of each operand consecutive in memory. Each
// product is cut by block_grid; all (product, block) pairs run in one parallel loop, so a batch of
// small products (attention's) keeps every thread busy and still sums each element the same way for
// any thread count.
template <typename T>
void gemm_impl(const T* a, const T* b, T* c, std::size_t batch, std::size_t m, std::size_t n, std::size_t k,
               bool transpose_a, bool transpose_b, bool accumulate) {
  if (batch == 0 || m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: C = 0 (or unchanged when accumulating)
    if (!accumulate) std::fill_n(c, batch * m * n, T(0));
    return;
  }
  const std::size_t lda = transpose_a ? m : k, ldb = transpose_b ? k : n;
  const BlockGrid grid = block_grid(m, n, k);
  const std::ptrdiff_t tasks = static_cast<std::ptrdiff_t>(batch * grid.count);
  const auto run_block = [&](std::ptrdiff_t task) {
    const std::size_t product = static_cast<std::size_t>(task) / grid.count;
    const std::size_t first = static_cast<std::size_t>(task) % grid.count * grid.block;
    const std::size_t size = std::min(grid.block, (grid.split_rows ? m : n) - first);
    const T* a_product = a + product * m * k;
    const T* b_product = b + product * k * n;
    // Rows [first, first + size) of op(A) and C, or columns of op(B) and C.
    const T* a_block = grid.split_rows ? a_product + first * (transpose_a ? 1 : k) : a_product;
    const T* b_block = grid.split_rows ? b_product : b_product + first * (transpose_b ? k : 1);
    T* c_block = c + product * m * n + (grid.split_rows ? first * n : first);
    gemm_call(transpose_a, transpose_b, grid.split_rows ? size : m, grid.split_rows ? n : size, k, a_block, lda,
              b_block, ldb, accumulate ? T(1) : T(0), c_block, n);
  };
  // Each call must run single-threaded: inside an active parallel region and on one thread the GEMM
  // libraries already do, and in parallel_for's own region they never start threads themselves. Either
  // way every block is the same single-threaded call.
  detail::parallel_for(tasks, run_block);
}

}  // namespace

void gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool transpose_a,
          bool transpose_b, bool accumulate) {
  gemm_impl(a, b, c, 1, m, n, k, transpose_a, transpose_b, accumulate);
}

void gemm(const double* a, const double* b, double* c, std::size_t m, std::size_t n, std::size_t k,
          bool transpose_a, bool transpose_b, bool accumulate) {
  gemm_impl(a, b, c, 1, m, n, k, transpose_a, transpose_b, accumulate);
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  const bool batched = a.dim() == 3;
  const std::int64_t batch = batched ? a.size(0) : 1, rows = a.size(-2), cols = a.size(-1);
  const std::int64_t m = transpose_a ? cols : rows, k = transpose_a ? rows : cols;
  const std::int64_t n = transpose_b ? b.size(-2) : b.size(-1);
  Tensor c = Tensor::empty(batched ? Shape{batch, m, n} : Shape{m, n}, a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    gemm_impl(dense(a).data<T>(), dense(b).data<T>(), c.data<T>(), static_cast<std::size_t>(batch), static_cast<std::size_t>(m),
              static_cast<std::size_t>(n), static_cast<std::size_t>(k), transpose_a, transpose_b, false);
  });
  return c;
}

}  // namespace lucid::kernels
