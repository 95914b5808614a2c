// Macros that turn an activation expression into GroupNorm kernels with that activation as their
// epilogue: a GroupNormKernels table (group_norm.h). In a .cc compiled once per target through
// hwy/foreach_target.h (see framework/kernels/group_norm_kernels.cc, or
// examples/swish/swish_kernels.cc for a user's activation):
//
//   #include "framework/kernels/group_norm-inl.h"     // after hwy/foreach_target.h
//   namespace my::HWY_NAMESPACE {                      // inside HWY_BEFORE_NAMESPACE()/AFTER
//   LUCID_GROUP_NORM_TARGET_KERNELS(GroupNormSwish, SwishExpr)
//   }
//   #if HWY_ONCE
//   namespace my {
//   LUCID_GROUP_NORM_EXPORT_KERNELS(GroupNormSwish, SwishExpr)  // defines `const lucid::kernels::GroupNormKernels GroupNormSwish_kernels`
//   }
//   #endif
//
// The expression reads stream<0>, the normalised and affine-mapped value z, and may use scalars of
// its own; its derivative, for the backward, is taken at compile time.
#pragma once

#include "framework/expr/expr.h"
#include "framework/kernels/group_norm.h"

#define LUCID_DETAIL_GROUP_NORM_RANGE(FN, ARGS, T, ITEMS, ACT)                             \
  void FN(const ::lucid::kernels::ARGS<T>& args, std::size_t begin, std::size_t end) {     \
    ::lucid::kernels::HWY_NAMESPACE::group_norm_detail::ITEMS<ACT, T>(args, begin, end); \
  }

#define LUCID_GROUP_NORM_TARGET_KERNELS(NAME, ACT)                                                              \
  static_assert(::lucid::expr::num_streams<ACT> == 1,                                                           \
                "LUCID_GROUP_NORM_TARGET_KERNELS: the activation must read exactly one stream, stream<0>");     \
  LUCID_DETAIL_GROUP_NORM_RANGE(NAME##_forward_f32, GroupNormForwardArgs, float, ForwardItems, ACT)            \
  LUCID_DETAIL_GROUP_NORM_RANGE(NAME##_forward_f64, GroupNormForwardArgs, double, ForwardItems, ACT)           \
  LUCID_DETAIL_GROUP_NORM_RANGE(NAME##_backward_f32, GroupNormBackwardArgs, float, BackwardItems, ACT)         \
  LUCID_DETAIL_GROUP_NORM_RANGE(NAME##_backward_f64, GroupNormBackwardArgs, double, BackwardItems, ACT)

#define LUCID_DETAIL_GROUP_NORM_DISPATCH(FN, ARGS, T)                                 \
  +[](const ::lucid::kernels::ARGS<T>& args, std::size_t begin, std::size_t end) {     \
    HWY_DYNAMIC_DISPATCH(FN)(args, begin, end);                                        \
  }

#define LUCID_GROUP_NORM_EXPORT_KERNELS(NAME, ACT)                                                    \
  HWY_EXPORT(NAME##_forward_f32);                                                                     \
  HWY_EXPORT(NAME##_forward_f64);                                                                     \
  HWY_EXPORT(NAME##_backward_f32);                                                                    \
  HWY_EXPORT(NAME##_backward_f64);                                                                    \
  const ::lucid::kernels::GroupNormKernels NAME##_kernels{                                            \
      #NAME "Backward",                                                                               \
      ::lucid::expr::num_scalars<ACT>,                                                                \
      LUCID_DETAIL_GROUP_NORM_DISPATCH(NAME##_forward_f32, GroupNormForwardArgs, float),              \
      LUCID_DETAIL_GROUP_NORM_DISPATCH(NAME##_forward_f64, GroupNormForwardArgs, double),             \
      LUCID_DETAIL_GROUP_NORM_DISPATCH(NAME##_backward_f32, GroupNormBackwardArgs, float),            \
      LUCID_DETAIL_GROUP_NORM_DISPATCH(NAME##_backward_f64, GroupNormBackwardArgs, double)};
