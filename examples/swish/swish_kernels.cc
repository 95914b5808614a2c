// The swish op's kernels, compiled for every SIMD target (hwy/foreach_target.h re-includes this
// file once per target), and the differentiable op that dispatches to the best one at run time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "examples/swish/swish_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "examples/swish/swish.h"
#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/group_norm-inl.h"
#include "framework/kernels/group_norm_epilogue.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace swish_example::HWY_NAMESPACE {
LUCID_FUSED_TARGET_KERNELS_1(Swish, SwishExpr)  // forward and ∂/∂x, for float and double
LUCID_GROUP_NORM_TARGET_KERNELS(GroupNormSwish, SwishExpr)  // GroupNorm with swish as its epilogue
}  // namespace swish_example::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "autodiff/fused_op.h"
#include "modules/functional/group_norm_epilogue.h"

namespace swish_example {

LUCID_FUSED_EXPORT_KERNELS_1(Swish, SwishExpr)  // defines Swish_kernels, the dispatch table
LUCID_GROUP_NORM_EXPORT_KERNELS(GroupNormSwish, SwishExpr)  // defines GroupNormSwish_kernels

lucid::Tensor swish(const lucid::Tensor& x, double beta) {
  return lucid::autograd::fused<SwishExpr>(Swish_kernels, {x}, {beta});
}

lucid::Tensor group_norm_swish(const lucid::Tensor& x, std::int64_t num_groups, const lucid::Tensor& weight,
                               const lucid::Tensor& bias, double eps, double beta) {
  return lucid::nn::functional::group_norm_with_epilogue<SwishExpr>(GroupNormSwish_kernels, x, num_groups, weight,
                                                                    bias, eps, {beta});
}

}  // namespace swish_example
#endif  // HWY_ONCE
