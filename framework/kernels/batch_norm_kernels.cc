// BatchNorm's kernels with lucid's built-in epilogues (the identity and nn::Activation's activations),
// compiled per SIMD target from the templates of batch_norm-inl.h, and the OpenMP split over channels.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/batch_norm_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/kernels/batch_norm-inl.h"
#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/norm_epilogue.h"
#include "hwy/highway.h"

#define LUCID_BATCH_NORM_TARGET_KERNELS(NAME, ACT) LUCID_DETAIL_NORM_TARGET_KERNELS(NAME, ACT, BatchNorm, batch_norm_detail)
#define LUCID_BATCH_NORM_EXPORT_KERNELS(NAME, ACT) LUCID_DETAIL_NORM_EXPORT_KERNELS(NAME, ACT, BatchNorm)
#define LUCID_BATCH_NORM_EPILOGUES(EPILOGUE) LUCID_DETAIL_NORM_BUILTIN_EPILOGUES(EPILOGUE, BatchNorm)

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
LUCID_BATCH_NORM_EPILOGUES(LUCID_BATCH_NORM_TARGET_KERNELS)
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "framework/kernels/parallel_items.h"

namespace lucid::kernels {

LUCID_BATCH_NORM_EPILOGUES(LUCID_BATCH_NORM_EXPORT_KERNELS)

void batch_norm_forward(const BatchNormKernels& k, const BatchNormForwardArgs<float>& a) {
  detail::parallel_items(k.forward_f32, a, a.channels);
}
void batch_norm_forward(const BatchNormKernels& k, const BatchNormForwardArgs<double>& a) {
  detail::parallel_items(k.forward_f64, a, a.channels);
}
void batch_norm_backward(const BatchNormKernels& k, const BatchNormBackwardArgs<float>& a) {
  detail::parallel_items(k.backward_f32, a, a.channels);
}
void batch_norm_backward(const BatchNormKernels& k, const BatchNormBackwardArgs<double>& a) {
  detail::parallel_items(k.backward_f64, a, a.channels);
}

}  // namespace lucid::kernels
#endif  // HWY_ONCE
