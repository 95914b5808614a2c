// Fused SIMD sum reductions, compiled per target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/reduce_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/reduce.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
LUCID_REDUCE_TARGET_KERNEL(SumAll, expr::Stream<0>)  // Σx
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
LUCID_MAP_EXPORT_KERNEL(SumAll)

double sum_all(const float* x, std::size_t n) {
  double sum = 0.0;
  HWY_DYNAMIC_DISPATCH(SumAll_f32)(&x, nullptr, n, &sum);
  return sum;
}

double sum_all(const double* x, std::size_t n) {
  double sum = 0.0;
  HWY_DYNAMIC_DISPATCH(SumAll_f64)(&x, nullptr, n, &sum);
  return sum;
}
}  // namespace lucid::kernels
#endif  // HWY_ONCE
