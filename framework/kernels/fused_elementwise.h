// Dispatch tables of the fused elementwise kernels (see elementwise_exprs.h for their formulas).
#pragma once

#include "framework/expr/fused_kernels.h"

namespace lucid::kernels {

using expr::FusedKernels;

// arithmetic_kernels.cc
extern const FusedKernels Add_kernels, Sub_kernels, Mul_kernels, Div_kernels, Maximum_kernels, Minimum_kernels;
extern const FusedKernels Where_kernels;
extern const FusedKernels AddScalar_kernels, MulScalar_kernels, DivScalar_kernels, ScalarSub_kernels, ScalarDiv_kernels;
// math_kernels.cc
extern const FusedKernels Neg_kernels, Abs_kernels, Exp_kernels, Log_kernels, Sqrt_kernels, Rsqrt_kernels, Clamp_kernels;
// activation_kernels.cc
extern const FusedKernels Relu_kernels, Sigmoid_kernels, Tanh_kernels, Silu_kernels, Gelu_kernels;

// out[i] = in[0][i] > in[1][i] ? 1 : 0 (not differentiable)
void greater(const float* const* in, float* out, std::size_t n);
void greater(const double* const* in, double* out, std::size_t n);

}  // namespace lucid::kernels
