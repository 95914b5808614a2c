// Matrix products whose inner dimension k is small, in SIMD: a convolution over an input of one to
// three channels (an image model's first layer) has a column matrix of only k = C·KH·KW rows (9 for
// one channel and a 3×3 kernel), where a general GEMM spends its time packing and on edge blocks
// (dnnl_sgemm ran Fashion-MNIST's first layer, (128, 1, 28, 28) → 32, at about a third of the core's
// peak forward and a sixth backward). float32; conv2d.cc uses them for k ≤ kThinGemmMaxK.
#pragma once

#include <cstddef>

namespace lucid::kernels {

// The largest inner dimension the products below are meant for (three channels of a 3×3 kernel).
inline constexpr std::size_t kThinGemmMaxK = 27;

// y (m × n) = a (m × k) · b (k × n, its rows ldb ≥ n apart), plus bias[i] on row i when bias is not null:
//   y[i, j] = bias[i] + Σ_p a[i, p] · b[p, j]
// with p in order and one multiply-add per term, the same in every column. Rows of y go in blocks of
// four that share each load of b.
void thin_gemm(const float* a, const float* b, std::size_t ldb, const float* bias, float* y, std::size_t m,
               std::size_t n, std::size_t k);

// The gradients of that product with respect to a and to the bias, for the output gradient g (m × n):
//   da[i, p] = Σ_j g[i, j] · b[p, j],   bias_grad[i] = Σ_j g[i, j]   (bias_grad may be null)
// overwritten, or added to what is there when `accumulate`. Each sum runs over j in SIMD lanes, the
// lanes are added at the end of the row, then the columns past the last full vector: a fixed order for
// a given n.
void thin_gemm_gradient(const float* g, const float* b, std::size_t ldb, float* da, float* bias_grad, std::size_t m,
                        std::size_t n, std::size_t k, bool accumulate);

}  // namespace lucid::kernels
