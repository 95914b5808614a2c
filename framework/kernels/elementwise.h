// Elementwise kernels on raw tensors (no autograd): broadcasting binary ops, unary math, scalar power.
// Callers (autodiff/ops) check shapes and dtypes; these assume valid input.
#pragma once

#include "framework/tensor.h"

namespace lucid::kernels {

enum class BinaryOp {
  kAdd,      // a + b
  kSub,      // a - b
  kMul,      // a * b
  kDiv,      // a / b
  kGreater,  // a > b ? 1 : 0
};

enum class UnaryOp {
  kNeg,      // -x
  kExp,      // e^x
  kLog,      // ln x
  kSqrt,     // √x
  kRelu,     // max(x, 0)
  kSigmoid,  // 1 / (1 + e^-x), evaluated without overflow for large |x|
  kTanh,     // tanh x
};

// out = op(a, b) with NumPy broadcasting; a and b have the same dtype.
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
// out = op(x)
Tensor unary(UnaryOp op, const Tensor& x);
// out = x^exponent
Tensor pow_scalar(const Tensor& x, double exponent);
// dst += src, in place; same shape and dtype.
void add_inplace(const Tensor& dst, const Tensor& src);

}  // namespace lucid::kernels
