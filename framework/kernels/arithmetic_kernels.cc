// Fused kernels of the arithmetic ops (formulas in elementwise_exprs.h), compiled per SIMD target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/arithmetic_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/fused_elementwise.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
LUCID_FUSED_TARGET_KERNELS_2(Add, exprs::Add)
LUCID_FUSED_TARGET_KERNELS_2(Sub, exprs::Sub)
LUCID_FUSED_TARGET_KERNELS_2(Mul, exprs::Mul)
LUCID_FUSED_TARGET_KERNELS_2(Div, exprs::Div)
LUCID_FUSED_TARGET_KERNELS_2(Maximum, exprs::Maximum)
LUCID_FUSED_TARGET_KERNELS_2(Minimum, exprs::Minimum)
LUCID_FUSED_TARGET_KERNELS_3(Where, exprs::Where)
LUCID_FUSED_TARGET_KERNELS_2(WhereElseScalar, exprs::WhereElseScalar)
LUCID_FUSED_TARGET_KERNELS_2(WhereThenScalar, exprs::WhereThenScalar)
LUCID_FUSED_TARGET_KERNELS_1(AddScalar, exprs::AddScalar)
LUCID_FUSED_TARGET_KERNELS_1(MulScalar, exprs::MulScalar)
LUCID_FUSED_TARGET_KERNELS_1(DivScalar, exprs::DivScalar)
LUCID_FUSED_TARGET_KERNELS_1(ScalarSub, exprs::ScalarSub)
LUCID_FUSED_TARGET_KERNELS_1(ScalarDiv, exprs::ScalarDiv)
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
LUCID_FUSED_EXPORT_KERNELS_2(Add, exprs::Add)
LUCID_FUSED_EXPORT_KERNELS_2(Sub, exprs::Sub)
LUCID_FUSED_EXPORT_KERNELS_2(Mul, exprs::Mul)
LUCID_FUSED_EXPORT_KERNELS_2(Div, exprs::Div)
LUCID_FUSED_EXPORT_KERNELS_2(Maximum, exprs::Maximum)
LUCID_FUSED_EXPORT_KERNELS_2(Minimum, exprs::Minimum)
LUCID_FUSED_EXPORT_KERNELS_3(Where, exprs::Where)
LUCID_FUSED_EXPORT_KERNELS_2(WhereElseScalar, exprs::WhereElseScalar)
LUCID_FUSED_EXPORT_KERNELS_2(WhereThenScalar, exprs::WhereThenScalar)
LUCID_FUSED_EXPORT_KERNELS_1(AddScalar, exprs::AddScalar)
LUCID_FUSED_EXPORT_KERNELS_1(MulScalar, exprs::MulScalar)
LUCID_FUSED_EXPORT_KERNELS_1(DivScalar, exprs::DivScalar)
LUCID_FUSED_EXPORT_KERNELS_1(ScalarSub, exprs::ScalarSub)
LUCID_FUSED_EXPORT_KERNELS_1(ScalarDiv, exprs::ScalarDiv)
}  // namespace lucid::kernels
#endif  // HWY_ONCE
