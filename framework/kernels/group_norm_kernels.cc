// GroupNorm's kernels with lucid's built-in epilogues (the identity and nn::Activation's activations),
// compiled per SIMD target from the templates of group_norm-inl.h, and the OpenMP split over items.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/group_norm_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/group_norm-inl.h"
#include "framework/kernels/group_norm_epilogue.h"
#include "hwy/highway.h"

// The built-in epilogues.
#define LUCID_GROUP_NORM_EPILOGUES(EPILOGUE) LUCID_DETAIL_NORM_BUILTIN_EPILOGUES(EPILOGUE, GroupNorm)

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
LUCID_GROUP_NORM_EPILOGUES(LUCID_GROUP_NORM_TARGET_KERNELS)
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "framework/kernels/parallel_items.h"

namespace lucid::kernels {

LUCID_GROUP_NORM_EPILOGUES(LUCID_GROUP_NORM_EXPORT_KERNELS)

void group_norm_forward(const GroupNormKernels& k, const GroupNormForwardArgs<float>& a) {
  detail::parallel_items(k.forward_f32, a, a.batch * a.groups);
}
void group_norm_forward(const GroupNormKernels& k, const GroupNormForwardArgs<double>& a) {
  detail::parallel_items(k.forward_f64, a, a.batch * a.groups);
}
void group_norm_backward(const GroupNormKernels& k, const GroupNormBackwardArgs<float>& a) {
  detail::parallel_items(k.backward_f32, a, a.batch * a.groups);
}
void group_norm_backward(const GroupNormKernels& k, const GroupNormBackwardArgs<double>& a) {
  detail::parallel_items(k.backward_f64, a, a.batch * a.groups);
}

}  // namespace lucid::kernels
#endif  // HWY_ONCE
