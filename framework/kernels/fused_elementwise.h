// Dispatch tables of the fused elementwise kernels (see elementwise_exprs.h for their formulas).
#pragma once

#include "framework/expr/fused_kernels.h"

namespace lucid::kernels {

using expr::FusedKernels;

// arithmetic_kernels.cc
extern const FusedKernels Add_kernels, Sub_kernels, Mul_kernels, Div_kernels, Maximum_kernels, Minimum_kernels;
extern const FusedKernels Where_kernels, WhereElseScalar_kernels, WhereThenScalar_kernels;
extern const FusedKernels AddScalar_kernels, MulScalar_kernels, DivScalar_kernels, ScalarSub_kernels, ScalarDiv_kernels;
// math_kernels.cc
extern const FusedKernels Clamp_kernels, ClampMin_kernels, ClampMax_kernels;
// activation_kernels.cc: the activations with parameters.
extern const FusedKernels Hardtanh_kernels, Softplus_kernels, LeakyRelu_kernels, Elu_kernels;
// math_kernels.cc and activation_kernels.cc: one table per line of unary_ops.inc (Exp_kernels, ...).
#define LUCID_UNARY_OP(name, Name, group, ...) extern const FusedKernels Name##_kernels;
#include "framework/kernels/unary_ops.inc"

}  // namespace lucid::kernels
