// The swish op's kernels, compiled for every SIMD target (hwy/foreach_target.h re-includes this
// file once per target), and the differentiable op that dispatches to the best one at run time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "examples/swish/swish_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "examples/swish/swish.h"
#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace swish_example::HWY_NAMESPACE {
LUCID_FUSED_TARGET_KERNELS_1(Swish, SwishExpr)  // forward and ∂/∂x, for float and double
}  // namespace swish_example::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "autodiff/fused_op.h"

namespace swish_example {

LUCID_FUSED_EXPORT_KERNELS_1(Swish, SwishExpr)  // defines Swish_kernels, the dispatch table

lucid::Tensor swish(const lucid::Tensor& x, double beta) {
  return lucid::autograd::fused<SwishExpr>(Swish_kernels, {x}, {beta});
}

}  // namespace swish_example
#endif  // HWY_ONCE
