// Matrix products through oneDNN's sgemm (float) and OpenBLAS's dgemm (double); no autograd.
#pragma once

#include <cstddef>

#include "framework/tensor.h"

namespace lucid::kernels {

// C = op(A)·op(B) (+ C when accumulate), row-major; op(X) = Xᵀ when its transpose flag is set.
// op(A) is M×K, op(B) is K×N, C is M×N. dnnl_sgemm / cblas_dgemm on blocks of C in parallel; the
// result is bit-identical for any thread count.
void gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool transpose_a,
          bool transpose_b, bool accumulate = false);
void gemm(const double* a, const double* b, double* c, std::size_t m, std::size_t n, std::size_t k,
          bool transpose_a, bool transpose_b, bool accumulate = false);

// The same on 2-D tensors of one dtype, or on 3-D ones (a batch of products, same batch size):
// returns op(A)·op(B), op transposing the last two dimensions.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

}  // namespace lucid::kernels
