// Fused kernels of the activations (formulas in elementwise_exprs.h), compiled per SIMD target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/activation_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/fused_elementwise.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
LUCID_FUSED_TARGET_KERNELS_1(Relu, exprs::Relu)
LUCID_FUSED_TARGET_KERNELS_1(Sigmoid, exprs::Sigmoid)
LUCID_FUSED_TARGET_KERNELS_1(Tanh, exprs::Tanh)
LUCID_FUSED_TARGET_KERNELS_1(Silu, exprs::Silu)
LUCID_FUSED_TARGET_KERNELS_1(Gelu, exprs::Gelu)
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
LUCID_FUSED_EXPORT_KERNELS_1(Relu, exprs::Relu)
LUCID_FUSED_EXPORT_KERNELS_1(Sigmoid, exprs::Sigmoid)
LUCID_FUSED_EXPORT_KERNELS_1(Tanh, exprs::Tanh)
LUCID_FUSED_EXPORT_KERNELS_1(Silu, exprs::Silu)
LUCID_FUSED_EXPORT_KERNELS_1(Gelu, exprs::Gelu)
}  // namespace lucid::kernels
#endif  // HWY_ONCE
