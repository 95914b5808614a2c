// A user-defined fused, differentiable elementwise op in a few lines: swish(x; β) = x·σ(βx).
//
// The formula is written once, as an expression type. swish_kernels.cc turns it into a SIMD kernel
// per target plus the kernel of its derivative (derived at compile time); swish() records it in the
// graph like any built-in op, so backward(), create_graph and gradcheck all work.
//
// The same expression is also fused into GroupNorm as its activation epilogue: group_norm_swish()
// computes swish(group_norm(x); β) in GroupNorm's own kernels, forward and backward, as lucid does for
// its built-in activations (nn::Activation).
#pragma once

#include <cstdint>

#include "framework/expr/expr.h"
#include "framework/tensor.h"

namespace swish_example {

namespace e = lucid::expr;
using SwishExpr = decltype(e::stream<0> * e::sigmoid(e::scalar<0> * e::stream<0>));

lucid::Tensor swish(const lucid::Tensor& x, double beta);

// swish(group_norm(x, num_groups, weight, bias, eps); β) as one fused op; arguments as
// lucid::nn::functional::group_norm's.
lucid::Tensor group_norm_swish(const lucid::Tensor& x, std::int64_t num_groups, const lucid::Tensor& weight,
                               const lucid::Tensor& bias, double eps, double beta);

}  // namespace swish_example
