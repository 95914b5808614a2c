// Reports which SIMD target dynamic dispatch picks on this machine.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/expr/simd_target.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/expr/fused_kernels.h"
#include "hwy/highway.h"
#include "hwy/targets.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::expr::HWY_NAMESPACE {
std::int64_t CompiledTarget() { return HWY_TARGET; }
}  // namespace lucid::expr::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::expr {
HWY_EXPORT(CompiledTarget);
const char* active_simd_target() { return hwy::TargetName(HWY_DYNAMIC_DISPATCH(CompiledTarget)()); }
}  // namespace lucid::expr
#endif  // HWY_ONCE
