// GroupNorm's kernels with lucid's built-in epilogues (the identity and nn::Activation's activations),
// compiled per SIMD target from the templates of group_norm-inl.h, and the OpenMP split over items.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/group_norm_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/group_norm-inl.h"
#include "framework/kernels/group_norm_epilogue.h"
#include "hwy/highway.h"

// The built-in epilogues, (name of the table, activation expression) for EPILOGUE.
#define LUCID_GROUP_NORM_EPILOGUES(EPILOGUE) \
  EPILOGUE(GroupNorm, expr::Stream<0>)       \
  EPILOGUE(GroupNormReLU, exprs::Relu)       \
  EPILOGUE(GroupNormSiLU, exprs::Silu)       \
  EPILOGUE(GroupNormGELU, exprs::Gelu)       \
  EPILOGUE(GroupNormSigmoid, exprs::Sigmoid) \
  EPILOGUE(GroupNormTanh, exprs::Tanh)

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
LUCID_GROUP_NORM_EPILOGUES(LUCID_GROUP_NORM_TARGET_KERNELS)
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <algorithm>

#include <omp.h>

namespace lucid::kernels {

LUCID_GROUP_NORM_EPILOGUES(LUCID_GROUP_NORM_EXPORT_KERNELS)

namespace {

// Runs items [0, count) as one contiguous static chunk per OpenMP thread. Items are independent, so
// the chunking changes no result.
template <typename Args>
void parallel_items(GroupNormRange<Args> run, const Args& args) {
  const std::size_t count = args.batch * args.groups;
  if (count == 0) return;
  const int threads = static_cast<int>(std::min<std::size_t>(count, static_cast<std::size_t>(omp_get_max_threads())));
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    run(args, count * t / nt, count * (t + 1) / nt);
  }
}

}  // namespace

void group_norm_forward(const GroupNormKernels& k, const GroupNormForwardArgs<float>& a) { parallel_items(k.forward_f32, a); }
void group_norm_forward(const GroupNormKernels& k, const GroupNormForwardArgs<double>& a) { parallel_items(k.forward_f64, a); }
void group_norm_backward(const GroupNormKernels& k, const GroupNormBackwardArgs<float>& a) { parallel_items(k.backward_f32, a); }
void group_norm_backward(const GroupNormKernels& k, const GroupNormBackwardArgs<double>& a) { parallel_items(k.backward_f64, a); }

}  // namespace lucid::kernels
#endif  // HWY_ONCE
