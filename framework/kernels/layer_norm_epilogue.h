// Macros that turn an activation expression into LayerNorm (or RMSNorm) kernels with that activation as their
// epilogue: a LayerNormKernels table (layer_norm.h), used as GroupNorm's (group_norm_epilogue.h) in a
// .cc compiled once per target through hwy/foreach_target.h after framework/kernels/layer_norm-inl.h.
#pragma once

#include "framework/kernels/layer_norm.h"
#include "framework/kernels/norm_epilogue.h"

#define LUCID_LAYER_NORM_TARGET_KERNELS(NAME, ACT) LUCID_DETAIL_NORM_TARGET_KERNELS(NAME, ACT, LayerNorm, layer_norm_detail)
#define LUCID_LAYER_NORM_EXPORT_KERNELS(NAME, ACT) LUCID_DETAIL_NORM_EXPORT_KERNELS(NAME, ACT, LayerNorm)
// RMSNorm's kernels: a LayerNormKernels table whose kernels skip the centering and the bias.
#define LUCID_RMS_NORM_TARGET_KERNELS(NAME, ACT) LUCID_DETAIL_NORM_TARGET_KERNELS(NAME, ACT, LayerNorm, rms_norm_detail)
