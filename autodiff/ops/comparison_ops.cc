// Comparisons: 0/1 masks, constants to the graph (no gradient flows through a comparison).
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/kernels/compare.h"
#include "framework/kernels/layout.h"

namespace lucid {
namespace {

using kernels::Relation;

// A mask holds the operands' floating dtype (it multiplies them and feeds where()); float32 for int64.
DType mask_dtype(DType operands) { return is_floating_point(operands) ? operands : float32; }

// Operands of different dtypes are compared in their promoted dtype (ops_detail::result_type).
Tensor compare(const char* op, Relation relation, const Tensor& a, const Tensor& b) {
  ops_detail::check_defined(op, {&a, &b});
  const DType dtype = ops_detail::result_type({&a, &b});
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  const auto operand = [&](const Tensor& t) {
    const Tensor same_dtype = t.dtype() == dtype ? t : kernels::cast(t, dtype);
    return t.shape() == shape ? same_dtype : kernels::expand_copy(same_dtype, shape);
  };
  const Tensor lhs = operand(a), rhs = operand(b);
  Tensor out = Tensor::empty(shape, mask_dtype(dtype));
  kernels::compare(relation, lhs, rhs, out);
  return out;
}

Tensor compare(Relation relation, const Tensor& a, double b) {
  Tensor out = Tensor::empty(a.shape(), mask_dtype(a.dtype()));
  kernels::compare(relation, a, b, out);
  return out;
}

}  // namespace

#define LUCID_COMPARISON(name)                                                                    \
  Tensor name(const Tensor& a, const Tensor& b) { return compare(#name, Relation::name, a, b); } \
  Tensor name(const Tensor& a, double b) { return compare(Relation::name, a, b); }
LUCID_COMPARISON(eq)
LUCID_COMPARISON(ne)
LUCID_COMPARISON(lt)
LUCID_COMPARISON(le)
LUCID_COMPARISON(gt)
LUCID_COMPARISON(ge)
#undef LUCID_COMPARISON

}  // namespace lucid
