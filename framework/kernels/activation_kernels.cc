// Fused kernels of the activations (unary_ops.inc's "activation" group, and hardtanh, softplus,
// leaky_relu and elu, which take parameters), compiled per SIMD target.
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
// The "activation" group of unary_ops.inc.
#define LUCID_UNARY_OP(name, Name, group, ...) LUCID_UNARY_IN_##group(Name)
#define LUCID_UNARY_IN_math(Name)
#define LUCID_UNARY_IN_activation(Name) LUCID_FUSED_TARGET_KERNELS_1(Name, exprs::Name)
#include "framework/kernels/unary_ops.inc"
LUCID_FUSED_TARGET_KERNELS_1(Hardtanh, exprs::Hardtanh)
LUCID_FUSED_TARGET_KERNELS_1(Softplus, exprs::Softplus)
LUCID_FUSED_TARGET_KERNELS_1(LeakyRelu, exprs::LeakyRelu)
LUCID_FUSED_TARGET_KERNELS_1(Elu, exprs::Elu)
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
#define LUCID_UNARY_OP(name, Name, group, ...) LUCID_UNARY_IN_##group(Name)
#undef LUCID_UNARY_IN_activation
#define LUCID_UNARY_IN_activation(Name) LUCID_FUSED_EXPORT_KERNELS_1(Name, exprs::Name)
#include "framework/kernels/unary_ops.inc"
LUCID_FUSED_EXPORT_KERNELS_1(Hardtanh, exprs::Hardtanh)
LUCID_FUSED_EXPORT_KERNELS_1(Softplus, exprs::Softplus)
LUCID_FUSED_EXPORT_KERNELS_1(LeakyRelu, exprs::LeakyRelu)
LUCID_FUSED_EXPORT_KERNELS_1(Elu, exprs::Elu)
}  // namespace lucid::kernels
#endif  // HWY_ONCE
