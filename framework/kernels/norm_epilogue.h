// The macros behind LUCID_GROUP_NORM_* (group_norm_epilogue.h) and LUCID_LAYER_NORM_*
// (layer_norm_epilogue.h): the per-target kernels of normalisation FAMILY (GroupNorm, LayerNorm) with
// activation expression ACT as their epilogue, from the templates ForwardItems and BackwardItems of
// namespace lucid::kernels::HWY_NAMESPACE::DETAIL, and their FAMILY##Kernels table.
#pragma once

#include "framework/expr/expr.h"
#include "framework/kernels/norm_kernels.h"

#define LUCID_DETAIL_NORM_RANGE(FN, ARGS, T, DETAIL, ITEMS, ACT)                       \
  void FN(const ::lucid::kernels::ARGS<T>& args, std::size_t begin, std::size_t end) { \
    ::lucid::kernels::HWY_NAMESPACE::DETAIL::ITEMS<ACT, T>(args, begin, end);          \
  }

#define LUCID_DETAIL_NORM_TARGET_KERNELS(NAME, ACT, FAMILY, DETAIL)                                                   \
  static_assert(::lucid::expr::num_streams<ACT> == 1,                                                                \
                "the activation epilogue must read exactly one stream, stream<0>");                                  \
  LUCID_DETAIL_NORM_RANGE(NAME##_forward_f32, FAMILY##ForwardArgs, float, DETAIL, ForwardItems, ACT)                 \
  LUCID_DETAIL_NORM_RANGE(NAME##_forward_f64, FAMILY##ForwardArgs, double, DETAIL, ForwardItems, ACT)                \
  LUCID_DETAIL_NORM_RANGE(NAME##_backward_f32, FAMILY##BackwardArgs, float, DETAIL, BackwardItems, ACT)              \
  LUCID_DETAIL_NORM_RANGE(NAME##_backward_f64, FAMILY##BackwardArgs, double, DETAIL, BackwardItems, ACT)

#define LUCID_DETAIL_NORM_DISPATCH(FN, ARGS, T)                                    \
  +[](const ::lucid::kernels::ARGS<T>& args, std::size_t begin, std::size_t end) { \
    HWY_DYNAMIC_DISPATCH(FN)(args, begin, end);                                    \
  }

#define LUCID_DETAIL_NORM_EXPORT_KERNELS(NAME, ACT, FAMILY)                                 \
  HWY_EXPORT(NAME##_forward_f32);                                                           \
  HWY_EXPORT(NAME##_forward_f64);                                                           \
  HWY_EXPORT(NAME##_backward_f32);                                                          \
  HWY_EXPORT(NAME##_backward_f64);                                                          \
  const ::lucid::kernels::FAMILY##Kernels NAME##_kernels{                                   \
      #NAME "Backward",                                                                     \
      ::lucid::expr::num_scalars<ACT>,                                                      \
      LUCID_DETAIL_NORM_DISPATCH(NAME##_forward_f32, FAMILY##ForwardArgs, float),           \
      LUCID_DETAIL_NORM_DISPATCH(NAME##_forward_f64, FAMILY##ForwardArgs, double),          \
      LUCID_DETAIL_NORM_DISPATCH(NAME##_backward_f32, FAMILY##BackwardArgs, float),         \
      LUCID_DETAIL_NORM_DISPATCH(NAME##_backward_f64, FAMILY##BackwardArgs, double)};

// EPILOGUE(table name, activation expression) for the identity and nn::Activation's activations, the
// built-in epilogues of FAMILY (its tables FAMILY_kernels, FAMILY##ReLU_kernels, ...), written inside
// namespace lucid::kernels (or its HWY_NAMESPACE) with framework/kernels/elementwise_exprs.h included.
#define LUCID_DETAIL_NORM_BUILTIN_EPILOGUES(EPILOGUE, FAMILY) \
  EPILOGUE(FAMILY, expr::Stream<0>)                         \
  EPILOGUE(FAMILY##ReLU, exprs::Relu)                       \
  EPILOGUE(FAMILY##SiLU, exprs::Silu)                       \
  EPILOGUE(FAMILY##GELU, exprs::Gelu)                       \
  EPILOGUE(FAMILY##Sigmoid, exprs::Sigmoid)                 \
  EPILOGUE(FAMILY##Tanh, exprs::Tanh)
