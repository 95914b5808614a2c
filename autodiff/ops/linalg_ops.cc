// Matrix products. mm(a, b, transpose_a, transpose_b) = op(A)·op(B) and bmm, its batched form, are the
// two recorded ops: the transpose flags go to the GEMM kernel, so no transposed copy is made, forward
// or backward. matmul (PyTorch's 1-D / 2-D / batched rules with broadcast batch dimensions), baddbmm
// and outer are built from them and from reshape / expand, whose backwards undo the broadcasting.
#include <string>
#include <utility>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/kernels/layout.h"
#include "framework/kernels/matmul.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;
using autograd::TensorList;

namespace {

// "(2, 3)", or "(2, 3).T" when the operand enters transposed.
std::string operand_str(const Tensor& t, bool transposed) { return t.shape().str() + (transposed ? ".T" : ""); }

// Whether t (2-D, or 3-D batches) is the transpose of a contiguous tensor, as x.t() or
// k.transpose(-2, -1) of a contiguous one is.
bool transposes_contiguous(const Tensor& t) {
  if (t.is_contiguous()) return false;
  kernels::StridedPlacement p = kernels::placement_of(t);
  Shape::Dims dims = p.shape.dims();
  const std::size_t last = dims.size() - 1;
  std::swap(dims[last], dims[last - 1]);
  std::swap(p.strides[last], p.strides[last - 1]);
  p.shape = Shape(std::move(dims));
  return kernels::strided_view(t, p).is_contiguous();
}

// op(A)·op(B) for two 2-D operands (mm) or two 3-D ones with the same batch size (bmm).
Tensor checked_product(const char* op, const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  ops_detail::check_defined(op, {&a, &b});
  const bool batched = std::string(op) == "bmm";
  const std::int64_t rank = batched ? 3 : 2;
  if (a.dim() != rank || b.dim() != rank) {
    throw ValueError(std::string(op) + ": expected two " + std::to_string(rank) + "-D tensors, got shapes " +
                     a.shape().str() + " and " + b.shape().str());
  }
  if (batched && a.size(0) != b.size(0)) {
    throw ValueError(std::string(op) + ": batch sizes differ: " + a.shape().str() + " and " + b.shape().str());
  }
  const std::int64_t inner_a = a.size(transpose_a ? -2 : -1), inner_b = b.size(transpose_b ? -1 : -2);
  if (inner_a != inner_b) {
    throw ValueError(std::string(op) + ": inner dimensions differ: " + operand_str(a, transpose_a) + " @ " +
                     operand_str(b, transpose_b) + " (" + std::to_string(inner_a) + " != " + std::to_string(inner_b) +
                     ")");
  }
  ops_detail::check_same_dtype(op, a, b);
  // A transposed view of a contiguous operand enters the GEMM as that operand with its flag flipped:
  // no copy (a.matmul(b.t()), q.matmul(k.transpose(-2, -1))).
  if (transposes_contiguous(a)) return checked_product(op, transpose(a, -2, -1), b, !transpose_a, transpose_b);
  if (transposes_contiguous(b)) return checked_product(op, a, transpose(b, -2, -1), transpose_a, !transpose_b);
  Tensor out = kernels::matmul(a, b, transpose_a, transpose_b);
  if (!autograd::should_record({&a, &b})) return out;
  // Saves a only for b's gradient and b only for a's, as PyTorch does.
  const SavedTensor saved_a(b.requires_grad() ? a : Tensor()), saved_b(a.requires_grad() ? b : Tensor());
  // With dC = g: d op(A) = g·op(B)ᵀ and d op(B) = op(A)ᵀ·g; a transposed operand takes the transpose
  // of its formula, (g·op(B)ᵀ)ᵀ = op(B)·gᵀ and (op(A)ᵀ·g)ᵀ = gᵀ·op(A). Each is one product with flags.
  record(batched ? "BmmBackward" : "MmBackward", out, {&a, &b},
         [op, saved_a, saved_b, transpose_a, transpose_b](const Tensor& g, Node& n) {
           Tensor da, db;
           if (n.needs_input_grad(0)) {
             const Tensor& b_value = saved_b.unpack(n);
             da = transpose_a ? checked_product(op, b_value, g, transpose_b, true)
                              : checked_product(op, g, b_value, false, !transpose_b);
           }
           if (n.needs_input_grad(1)) {
             const Tensor& a_value = saved_a.unpack(n);
             db = transpose_b ? checked_product(op, g, a_value, true, transpose_a)
                              : checked_product(op, a_value, g, !transpose_a, false);
           }
           return TensorList{da, db};
         });
  return out;
}

// The shape's dimensions [first, last) (negative counts from the end), as a Shape.
Shape dims_between(const Shape& shape, std::int64_t first, std::int64_t last) {
  const auto& dims = shape.dims();
  return Shape(dims.begin() + first, dims.begin() + (last < 0 ? shape.dim() + last : last));
}

Shape concat(Shape batch, std::initializer_list<std::int64_t> tail) {
  Shape::Dims dims = batch.dims();
  dims.insert(dims.end(), tail.begin(), tail.end());
  return Shape(std::move(dims));
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  return checked_product("mm", a, b, transpose_a, transpose_b);
}

Tensor bmm(const Tensor& a, const Tensor& b) { return checked_product("bmm", a, b, false, false); }

// PyTorch's rules: a 1-D operand gets a dimension of 1 (before it on the left, after it on the right)
// that the result drops; 2-D by 2-D is mm; a batched left operand times a matrix folds the batch into
// the rows (one mm, no copy); otherwise the batch dimensions broadcast and the products run as one bmm.
Tensor matmul(const Tensor& a, const Tensor& b) {
  ops_detail::check_defined("matmul", {&a, &b});
  if (a.dim() == 0 || b.dim() == 0) {
    throw ValueError("matmul: both arguments need at least one dimension, got shapes " + a.shape().str() + " and " +
                     b.shape().str());
  }
  const std::int64_t k = a.size(-1);
  if (b.size(b.dim() == 1 ? 0 : -2) != k) {
    throw ValueError("matmul: inner dimensions differ: " + a.shape().str() + " @ " + b.shape().str() + " (" +
                     std::to_string(k) + " != " + std::to_string(b.size(b.dim() == 1 ? 0 : -2)) + ")");
  }
  ops_detail::check_same_dtype("matmul", a, b);
  const Tensor a2 = a.dim() == 1 ? a.reshape({1, k}) : a;
  const Tensor b2 = b.dim() == 1 ? b.reshape({k, 1}) : b;
  const std::int64_t m = a2.size(-2), n = b2.size(-1);
  Tensor out;
  Shape out_shape;
  if (b2.dim() == 2) {
    out_shape = concat(dims_between(a2.shape(), 0, -2), {m, n});
    out = mm(a2.dim() == 2 ? a2 : a2.reshape({-1, k}), b2);
  } else {
    Shape batch;
    try {
      batch = broadcast_shapes(dims_between(a2.shape(), 0, -2), dims_between(b2.shape(), 0, -2));
    } catch (const ValueError&) {
      throw ValueError("matmul: the batch dimensions of " + a.shape().str() + " and " + b.shape().str() +
                       " do not broadcast");
    }
    const std::int64_t count = batch.numel();
    out_shape = concat(batch, {m, n});
    out = bmm(expand(a2, concat(batch, {m, k})).reshape({count, m, k}),
              expand(b2, concat(batch, {k, n})).reshape({count, k, n}));
  }
  // Drop the dimensions a 1-D operand was given.
  Shape::Dims dims = out_shape.dims();
  if (b.dim() == 1) dims.pop_back();
  if (a.dim() == 1) dims.erase(dims.end() - 1 - (b.dim() == 1 ? 0 : 1));
  return out.reshape(std::vector<std::int64_t>(dims.begin(), dims.end()));
}

// β·input + α·bmm(batch1, batch2); with β = 0 input is not read (NaN in it does not propagate).
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, double beta, double alpha) {
  ops_detail::check_defined("baddbmm", {&input, &batch1, &batch2});
  Tensor product = bmm(batch1, batch2);
  if (!broadcasts_to(input.shape(), product.shape())) {
    throw ValueError("baddbmm: input of shape " + input.shape().str() + " does not broadcast to the product's shape " +
                     product.shape().str());
  }
  ops_detail::check_same_dtype("baddbmm", input, product);
  if (alpha != 1.0) product = product * alpha;
  if (beta == 0.0) return product;
  return product + (beta == 1.0 ? input : input * beta);
}

// out[i][j] = a[i]·b[j].
Tensor outer(const Tensor& a, const Tensor& b) {
  ops_detail::check_defined("outer", {&a, &b});
  if (a.dim() != 1 || b.dim() != 1) {
    throw ValueError("outer: expected two 1-D tensors, got shapes " + a.shape().str() + " and " + b.shape().str());
  }
  ops_detail::check_same_dtype("outer", a, b);
  return a.reshape({a.size(0), 1}) * b.reshape({1, b.size(0)});
}

}  // namespace lucid
