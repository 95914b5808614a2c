// Macros that turn an expression type into the per-target kernels of a FusedKernels table.
//
// In a .cc compiled once per target through hwy/foreach_target.h (see framework/kernels/
// activation_kernels.cc, or examples/swish/swish_kernels.cc for a user-defined op):
//
//   namespace my::HWY_NAMESPACE {                 // inside HWY_BEFORE_NAMESPACE()/AFTER
//   LUCID_FUSED_TARGET_KERNELS_1(Swish, SwishExpr)   // _1/_2/_3: number of input streams
//   }
//   #if HWY_ONCE
//   namespace my {
//   LUCID_FUSED_EXPORT_KERNELS_1(Swish, SwishExpr)   // defines `const lucid::expr::FusedKernels Swish_kernels`
//   }
//   #endif
//
// The forward kernel evaluates the expression; backward kernel i evaluates g·∂expr/∂xᵢ, derived at
// compile time (derivative.h). Every kernel is a plain function per target, exported with
// HWY_EXPORT and called through HWY_DYNAMIC_DISPATCH.
#pragma once

#include "framework/expr/derivative.h"
#include "framework/expr/fused_kernels.h"

// One map kernel, f32 and f64 versions, named FN_f32 / FN_f64, evaluating the expression type given
// after FN (also usable alone for a kernel that needs no derivative; export it with LUCID_MAP_EXPORT_KERNEL).
#define LUCID_MAP_TARGET_KERNEL(FN, ...)                                                                  \
  void FN##_f32(const float* const* in, const float* scalars, float* out, std::size_t n) {                \
    ::lucid::expr::HWY_NAMESPACE::Map<__VA_ARGS__>(in, scalars, out, n);                                  \
  }                                                                                                       \
  void FN##_f64(const double* const* in, const double* scalars, double* out, std::size_t n) {             \
    ::lucid::expr::HWY_NAMESPACE::Map<__VA_ARGS__>(in, scalars, out, n);                                  \
  }

#define LUCID_DETAIL_BACKWARD_KERNEL(NAME, EXPR, I) \
  LUCID_MAP_TARGET_KERNEL(NAME##_backward##I, ::lucid::expr::input_gradient_t<EXPR, I>)

#define LUCID_DETAIL_CHECK_ARITY(EXPR, N)                                                  \
  static_assert(::lucid::expr::num_streams<EXPR> == N,                                     \
                "LUCID_FUSED_*_KERNELS_" #N ": the expression must read exactly " #N " input stream(s)");

#define LUCID_FUSED_TARGET_KERNELS_1(NAME, EXPR) \
  LUCID_DETAIL_CHECK_ARITY(EXPR, 1)              \
  LUCID_MAP_TARGET_KERNEL(NAME##_forward, EXPR)  \
  LUCID_DETAIL_BACKWARD_KERNEL(NAME, EXPR, 0)
#define LUCID_FUSED_TARGET_KERNELS_2(NAME, EXPR) \
  LUCID_DETAIL_CHECK_ARITY(EXPR, 2)              \
  LUCID_MAP_TARGET_KERNEL(NAME##_forward, EXPR)  \
  LUCID_DETAIL_BACKWARD_KERNEL(NAME, EXPR, 0)    \
  LUCID_DETAIL_BACKWARD_KERNEL(NAME, EXPR, 1)
#define LUCID_FUSED_TARGET_KERNELS_3(NAME, EXPR) \
  LUCID_DETAIL_CHECK_ARITY(EXPR, 3)              \
  LUCID_MAP_TARGET_KERNEL(NAME##_forward, EXPR)  \
  LUCID_DETAIL_BACKWARD_KERNEL(NAME, EXPR, 0)    \
  LUCID_DETAIL_BACKWARD_KERNEL(NAME, EXPR, 1)    \
  LUCID_DETAIL_BACKWARD_KERNEL(NAME, EXPR, 2)

// Exports FN_f32/FN_f64; LUCID_DETAIL_DISPATCH makes a plain function pointer that dispatches.
#define LUCID_MAP_EXPORT_KERNEL(FN) \
  HWY_EXPORT(FN##_f32);         \
  HWY_EXPORT(FN##_f64);
#define LUCID_DETAIL_DISPATCH(FN, T)                                                      \
  +[](const T* const* in, const T* scalars, T* out, std::size_t n) {                      \
    HWY_DYNAMIC_DISPATCH(FN)(in, scalars, out, n);                                        \
  }

#define LUCID_DETAIL_EXPAND(...) __VA_ARGS__
// B32/B64: parenthesised lists of the backward dispatchers.
#define LUCID_DETAIL_TABLE(NAME, EXPR, B32, B64)                                 \
  const ::lucid::expr::FusedKernels NAME##_kernels{                              \
      #NAME,                                                                     \
      #NAME "Backward",                                                          \
      ::lucid::expr::num_streams<EXPR>,                                          \
      ::lucid::expr::num_scalars<EXPR>,                                          \
      LUCID_DETAIL_DISPATCH(NAME##_forward_f32, float),                          \
      LUCID_DETAIL_DISPATCH(NAME##_forward_f64, double),                         \
      {LUCID_DETAIL_EXPAND B32},                                                 \
      {LUCID_DETAIL_EXPAND B64}};

#define LUCID_FUSED_EXPORT_KERNELS_1(NAME, EXPR)                                           \
  LUCID_MAP_EXPORT_KERNEL(NAME##_forward)                                                      \
  LUCID_MAP_EXPORT_KERNEL(NAME##_backward0)                                                    \
  LUCID_DETAIL_TABLE(NAME, EXPR, (LUCID_DETAIL_DISPATCH(NAME##_backward0_f32, float)),     \
                     (LUCID_DETAIL_DISPATCH(NAME##_backward0_f64, double)))

#define LUCID_FUSED_EXPORT_KERNELS_2(NAME, EXPR)                                           \
  LUCID_MAP_EXPORT_KERNEL(NAME##_forward)                                                      \
  LUCID_MAP_EXPORT_KERNEL(NAME##_backward0)                                                    \
  LUCID_MAP_EXPORT_KERNEL(NAME##_backward1)                                                    \
  LUCID_DETAIL_TABLE(NAME, EXPR,                                                           \
                     (LUCID_DETAIL_DISPATCH(NAME##_backward0_f32, float),                  \
                      LUCID_DETAIL_DISPATCH(NAME##_backward1_f32, float)),                 \
                     (LUCID_DETAIL_DISPATCH(NAME##_backward0_f64, double),                 \
                      LUCID_DETAIL_DISPATCH(NAME##_backward1_f64, double)))

#define LUCID_FUSED_EXPORT_KERNELS_3(NAME, EXPR)                                           \
  LUCID_MAP_EXPORT_KERNEL(NAME##_forward)                                                      \
  LUCID_MAP_EXPORT_KERNEL(NAME##_backward0)                                                    \
  LUCID_MAP_EXPORT_KERNEL(NAME##_backward1)                                                    \
  LUCID_MAP_EXPORT_KERNEL(NAME##_backward2)                                                    \
  LUCID_DETAIL_TABLE(NAME, EXPR,                                                           \
                     (LUCID_DETAIL_DISPATCH(NAME##_backward0_f32, float),                  \
                      LUCID_DETAIL_DISPATCH(NAME##_backward1_f32, float),                  \
                      LUCID_DETAIL_DISPATCH(NAME##_backward2_f32, float)),                 \
                     (LUCID_DETAIL_DISPATCH(NAME##_backward0_f64, double),                 \
                      LUCID_DETAIL_DISPATCH(NAME##_backward1_f64, double),                 \
                      LUCID_DETAIL_DISPATCH(NAME##_backward2_f64, double)))

// One fused reduction kernel, f32 and f64: FN_f32(in, scalars, n, sums) sets sums[r] = Σᵢ Eᵣ(...)
// for each expression type Eᵣ listed after FN, in a single pass. Export with LUCID_MAP_EXPORT_KERNEL.
#define LUCID_REDUCE_TARGET_KERNEL(FN, ...)                                                            \
  void FN##_f32(const float* const* in, const float* scalars, std::size_t n, double* sums) {           \
    ::lucid::expr::HWY_NAMESPACE::SumReduce<__VA_ARGS__>(in, scalars, n, sums);                        \
  }                                                                                                    \
  void FN##_f64(const double* const* in, const double* scalars, std::size_t n, double* sums) {         \
    ::lucid::expr::HWY_NAMESPACE::SumReduce<__VA_ARGS__>(in, scalars, n, sums);                        \
  }
