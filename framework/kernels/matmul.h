// Matrix product through BLAS (no autograd).
#pragma once

#include "framework/tensor.h"

namespace lucid::kernels {

// C (M×N) = A (M×K) · B (K×N), row-major, same dtype; cblas_sgemm / cblas_dgemm.
Tensor matmul(const Tensor& a, const Tensor& b);

}  // namespace lucid::kernels
