// Comparison kernels (no autograd): 0/1 results of a relation between two tensors or a tensor and a
// number.
#pragma once

#include "framework/tensor.h"

namespace lucid::kernels {

enum class Relation { eq, ne, lt, le, gt, ge };

// out[i] = 1 where a[i] R b[i] holds, else 0, in out's dtype; a, b and out have one shape and a, b
// one dtype (any: float32, float64, int64). NaN compares unequal to everything, as in IEEE 754.
void compare(Relation relation, const Tensor& a, const Tensor& b, const Tensor& out);
// out[i] = 1 where a[i] R b holds, compared as double.
void compare(Relation relation, const Tensor& a, double b, const Tensor& out);

}  // namespace lucid::kernels
