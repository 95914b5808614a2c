// Matrix products: mm(a, b, transpose_a, transpose_b) = op(A)·op(B), where the transpose flags go to
// the GEMM kernel (no transposed copy is made, forward or backward); matmul(a, b) = mm(a, b).
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

namespace {

// "(2, 3)", or "(2, 3).T" when the operand enters transposed.
std::string operand_str(const Tensor& t, bool transposed) { return t.shape().str() + (transposed ? ".T" : ""); }

Tensor checked_mm(const char* op, const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  ops_detail::check_defined(op, {&a, &b});
  if (a.dim() != 2 || b.dim() != 2) {
    throw ValueError(std::string(op) + ": expected two 2-D tensors, got shapes " + a.shape().str() + " and " +
                     b.shape().str());
  }
  const std::int64_t inner_a = a.size(transpose_a ? 0 : 1), inner_b = b.size(transpose_b ? 1 : 0);
  if (inner_a != inner_b) {
    throw ValueError(std::string(op) + ": inner dimensions differ: " + operand_str(a, transpose_a) + " @ " +
                     operand_str(b, transpose_b) + " (" + std::to_string(inner_a) + " != " + std::to_string(inner_b) +
                     ")");
  }
  ops_detail::check_same_dtype(op, a, b);
  Tensor out = kernels::matmul(a, b, transpose_a, transpose_b);
  if (!autograd::should_record({&a, &b})) return out;
  // Saves a only for b's gradient and b only for a's, as PyTorch does.
  const SavedTensor saved_a(b.requires_grad() ? a : Tensor()), saved_b(a.requires_grad() ? b : Tensor());
  // With dC = g: d op(A) = g·op(B)ᵀ and d op(B) = op(A)ᵀ·g; a transposed operand takes the transpose
  // of its formula, (g·op(B)ᵀ)ᵀ = op(B)·gᵀ and (op(A)ᵀ·g)ᵀ = gᵀ·op(A). Each is one mm with flags.
  record("MmBackward", out, {&a, &b}, [saved_a, saved_b, transpose_a, transpose_b](const Tensor& g, Node& n) {
    Tensor da, db;
    if (n.needs_input_grad(0)) {
      const Tensor& b_value = saved_b.unpack(n);
      da = transpose_a ? mm(b_value, g, transpose_b, true) : mm(g, b_value, false, !transpose_b);
    }
    if (n.needs_input_grad(1)) {
      const Tensor& a_value = saved_a.unpack(n);
      db = transpose_b ? mm(g, a_value, true, transpose_a) : mm(a_value, g, !transpose_a, false);
    }
    return TensorList{da, db};
  });
  return out;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  return checked_mm("mm", a, b, transpose_a, transpose_b);
}

Tensor matmul(const Tensor& a, const Tensor& b) { return checked_mm("matmul", a, b, false, false); }

}  // namespace lucid
