// The elementwise kernels that are not generated from expressions (see fused_elementwise.h for
// those): a scalar power, for which Highway 1.0.3 has no SIMD pow, and in-place accumulation.
#pragma once

#include "framework/tensor.h"

namespace lucid::kernels {

// out = x^exponent (std::pow per element; x·x for exponent 2, √x for ½, 1/√x for −½, as PyTorch)
Tensor pow_scalar(const Tensor& x, double exponent);
// dst += src, in place; same shape and dtype.
void add_inplace(const Tensor& dst, const Tensor& src);

}  // namespace lucid::kernels
