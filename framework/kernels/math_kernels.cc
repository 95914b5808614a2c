// Fused kernels of the math ops (formulas in elementwise_exprs.h), compiled per SIMD target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/math_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/fused_elementwise.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
LUCID_FUSED_TARGET_KERNELS_1(Neg, exprs::Neg)
LUCID_FUSED_TARGET_KERNELS_1(Abs, exprs::Abs)
LUCID_FUSED_TARGET_KERNELS_1(Exp, exprs::Exp)
LUCID_FUSED_TARGET_KERNELS_1(Log, exprs::Log)
LUCID_FUSED_TARGET_KERNELS_1(Sqrt, exprs::Sqrt)
LUCID_FUSED_TARGET_KERNELS_1(Rsqrt, exprs::Rsqrt)
LUCID_FUSED_TARGET_KERNELS_1(Clamp, exprs::Clamp)
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
LUCID_FUSED_EXPORT_KERNELS_1(Neg, exprs::Neg)
LUCID_FUSED_EXPORT_KERNELS_1(Abs, exprs::Abs)
LUCID_FUSED_EXPORT_KERNELS_1(Exp, exprs::Exp)
LUCID_FUSED_EXPORT_KERNELS_1(Log, exprs::Log)
LUCID_FUSED_EXPORT_KERNELS_1(Sqrt, exprs::Sqrt)
LUCID_FUSED_EXPORT_KERNELS_1(Rsqrt, exprs::Rsqrt)
LUCID_FUSED_EXPORT_KERNELS_1(Clamp, exprs::Clamp)
}  // namespace lucid::kernels
#endif  // HWY_ONCE
