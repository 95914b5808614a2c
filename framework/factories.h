// Factories: the ways to make a tensor from values, a constant, a range or random numbers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "framework/tensor.h"

namespace lucid {

// float32 tensor from float values, float64 tensor from double values. values.size() must equal
// shape.numel(), otherwise ValueError.
Tensor tensor(const std::vector<float>& values, const Shape& shape, bool requires_grad = false);
Tensor tensor(const std::vector<double>& values, const Shape& shape, bool requires_grad = false);
// int64 tensor (indices, class targets); requires_grad = true raises RuntimeError, as in PyTorch.
Tensor tensor(const std::vector<std::int64_t>& values, const Shape& shape, bool requires_grad = false);
// Braced literals, e.g. tensor({1, 2, 3}, {3}): float32, PyTorch's default dtype.
Tensor tensor(std::initializer_list<double> values, const Shape& shape, bool requires_grad = false);
// A 0-dimensional tensor holding one value.
Tensor scalar_tensor(double value, DType dtype = float32, bool requires_grad = false);

// Constant tensors of any dtype; in an int64 tensor `value` is truncated toward zero.
Tensor zeros(const Shape& shape, DType dtype = float32, bool requires_grad = false);
Tensor ones(const Shape& shape, DType dtype = float32, bool requires_grad = false);
Tensor full(const Shape& shape, double value, DType dtype = float32, bool requires_grad = false);
Tensor zeros_like(const Tensor& like);
Tensor ones_like(const Tensor& like);
// 1-D tensor start, start+step, ... up to but excluding end. step must be non-zero. (PyTorch's default
// dtype here is int64 for integral arguments; lucid's is float32: pass lucid::int64 for indices.)
Tensor arange(double start, double end, double step = 1.0, DType dtype = float32);
Tensor arange(double end, DType dtype = float32);
// Standard normal / uniform [0, 1) samples from the default generator (see manual_seed).
Tensor randn(const Shape& shape, DType dtype = float32, bool requires_grad = false);
Tensor rand(const Shape& shape, DType dtype = float32, bool requires_grad = false);

}  // namespace lucid
