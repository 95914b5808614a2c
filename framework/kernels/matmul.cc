#include "framework/kernels/matmul.h"

#include <algorithm>

#include <cblas.h>

namespace lucid::kernels {
namespace {

template <typename T, typename Gemm>
void gemm_impl(Gemm blas, const T* a, const T* b, T* c, std::size_t m, std::size_t n, std::size_t k,
               bool transpose_a, bool transpose_b, bool accumulate) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: C = 0 (or unchanged when accumulating)
    if (!accumulate) std::fill_n(c, m * n, T(0));
    return;
  }
  const auto M = static_cast<blasint>(m), N = static_cast<blasint>(n), K = static_cast<blasint>(k);
  blas(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, M, N, K,
       T(1), a, transpose_a ? M : K, b, transpose_b ? K : N, accumulate ? T(1) : T(0), c, N);
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

void set_blas_threads(int n) { openblas_set_num_threads(n); }

}  // namespace lucid::kernels
