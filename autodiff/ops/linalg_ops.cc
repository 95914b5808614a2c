// Matrix product.
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/kernels/matmul.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;
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
  if (!autograd::should_record({&a, &b})) return out;
  // Saves a only for b's gradient and b only for a's, as PyTorch does.
  const SavedTensor saved_a(b.requires_grad() ? a : Tensor()), saved_b(a.requires_grad() ? b : Tensor());
  record("MmBackward", out, {&a, &b}, [saved_a, saved_b](const Tensor& g, Node& n) {
    return TensorList{n.needs_input_grad(0) ? matmul(g, transpose(saved_b.unpack(n), 0, 1)) : Tensor(),
                      n.needs_input_grad(1) ? matmul(transpose(saved_a.unpack(n), 0, 1), g) : Tensor()};
  });
  return out;
}

}  // namespace lucid
