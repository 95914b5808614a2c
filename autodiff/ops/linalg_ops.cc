// Matrix product.
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/kernels/matmul.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::TensorList;

// C = A·B; dA = g·Bᵀ, dB = Aᵀ·g
Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() != 2 || b.dim() != 2) {
    throw ValueError("matmul: expected two 2-D tensors, got shapes " + a.shape().str() + " and " + b.shape().str());
  }
  if (a.size(1) != b.size(0)) {
    throw ValueError("matmul: inner dimensions differ: " + a.shape().str() + " @ " + b.shape().str() + " (" +
                     std::to_string(a.size(1)) + " != " + std::to_string(b.size(0)) + ")");
  }
  ops_detail::check_same_dtype("matmul", a, b);
  Tensor out = kernels::matmul(a, b);
  record("MmBackward", out, {&a, &b}, [a, b](const Tensor& g, Node& n) {
    return TensorList{n.needs_input_grad(0) ? matmul(g, transpose(b, 0, 1)) : Tensor(),
                      n.needs_input_grad(1) ? matmul(transpose(a, 0, 1), g) : Tensor()};
  });
  return out;
}

}  // namespace lucid
