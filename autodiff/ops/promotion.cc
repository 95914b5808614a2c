// Type promotion (checks.h): PyTorch's result_type for lucid's dtypes.
#include "autodiff/ops/checks.h"

namespace lucid::ops_detail {
namespace {

int rank(DType dtype) { return dtype == float64 ? 2 : dtype == float32 ? 1 : 0; }

}  // namespace

DType promote_types(DType a, DType b) { return rank(a) >= rank(b) ? a : b; }

// As c10's combine_categories: the dimensioned operands' type wins when it is floating; otherwise a
// floating 0-d operand's type is taken.
DType result_type(std::initializer_list<const Tensor*> operands) {
  bool any_dimensioned = false, any_zero_dim = false;
  DType dimensioned = int64, zero_dim = int64;
  for (const Tensor* t : operands) {
    if (t->dim() > 0) {
      dimensioned = any_dimensioned ? promote_types(dimensioned, t->dtype()) : t->dtype();
      any_dimensioned = true;
    } else {
      zero_dim = any_zero_dim ? promote_types(zero_dim, t->dtype()) : t->dtype();
      any_zero_dim = true;
    }
  }
  if (!any_dimensioned) return zero_dim;
  if (!any_zero_dim || is_floating_point(dimensioned)) return dimensioned;
  return promote_types(dimensioned, zero_dim);
}

}  // namespace lucid::ops_detail
