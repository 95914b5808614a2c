// A user-defined fused, differentiable elementwise op in a few lines: swish(x; β) = x·σ(βx).
//
// The formula is written once, as an expression type. swish_kernels.cc turns it into a SIMD kernel
// per target plus the kernel of its derivative (derived at compile time); swish() records it in the
// graph like any built-in op, so backward(), create_graph and gradcheck all work.
#pragma once

#include "framework/expr/expr.h"
#include "framework/tensor.h"

namespace swish_example {

namespace e = lucid::expr;
using SwishExpr = decltype(e::stream<0> * e::sigmoid(e::scalar<0> * e::stream<0>));

lucid::Tensor swish(const lucid::Tensor& x, double beta);

}  // namespace swish_example
