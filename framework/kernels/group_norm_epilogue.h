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

#include "framework/kernels/group_norm.h"
#include "framework/kernels/norm_epilogue.h"

#define LUCID_GROUP_NORM_TARGET_KERNELS(NAME, ACT) LUCID_DETAIL_NORM_TARGET_KERNELS(NAME, ACT, GroupNorm, group_norm_detail)
#define LUCID_GROUP_NORM_EXPORT_KERNELS(NAME, ACT) LUCID_DETAIL_NORM_EXPORT_KERNELS(NAME, ACT, GroupNorm)
