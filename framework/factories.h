// Factories: the ways to make a tensor from values, a constant, a range or random numbers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "framework/tensor.h"

namespace lucid {

class Generator;  // framework/random.h

// float32 tensor from float values, float64 tensor from double values. values.size() must equal
// shape.numel(), otherwise ValueError.
Tensor tensor(const std::vector<float>& values, const Shape& shape, bool requires_grad = false);
Tensor tensor(const std::vector<double>& values, const Shape& shape, bool requires_grad = false);
// int64 tensor (indices, class targets); requires_grad = true raises RuntimeError, as in PyTorch.
Tensor tensor(const std::vector<std::int64_t>& values, const Shape& shape, bool requires_grad = false);
// Braced literals, e.g. tensor({1, 2, 3}, {3}): float32, PyTorch's default dtype.
Tensor tensor(std::initializer_list<double> values, const Shape& shape, bool requires_grad = false);
// 1-D tensors of the values, as LibTorch's torch::tensor(std::vector): float32 from float, float64
// from double, int64 from int64_t. (For requires_grad, call .requires_grad_() on the result.)
Tensor tensor(const std::vector<float>& values);
Tensor tensor(const std::vector<double>& values);
Tensor tensor(const std::vector<std::int64_t>& values);
// Braced literals without a shape, float32: tensor({1, 2, 3}) is 1-D, tensor({{1, 2}, {3, 4}}) 2-D
// (rows of one length). Unlike LibTorch, integer literals give float32 too: indices come from
// std::vector<std::int64_t>.
Tensor tensor(std::initializer_list<double> values);
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows);
// A tensor over the caller's memory, no copy: `data` must hold shape.numel() values of dtype, in
// row-major order, and outlive every tensor that uses it (views, detach()). Writes through the tensor
// reach the caller's buffer. ValueError for a null pointer with elements.
Tensor from_blob(void* data, const Shape& shape, DType dtype = float32);
// A 0-dimensional tensor holding one value.
Tensor scalar_tensor(double value, DType dtype = float32, bool requires_grad = false);

// Constant tensors of any dtype; in an int64 tensor `value` is truncated toward zero.
Tensor zeros(const Shape& shape, DType dtype = float32, bool requires_grad = false);
Tensor ones(const Shape& shape, DType dtype = float32, bool requires_grad = false);
Tensor full(const Shape& shape, double value, DType dtype = float32, bool requires_grad = false);
// Tensors of like's shape, in like's dtype unless one is given.
Tensor zeros_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor ones_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor full_like(const Tensor& like, double value, std::optional<DType> dtype = std::nullopt);
Tensor empty_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);  // uninitialised
Tensor rand_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor randn_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
// The n×m identity (m = n by default): ones on the diagonal.
Tensor eye(std::int64_t n, DType dtype = float32);
Tensor eye(std::int64_t n, std::int64_t m, DType dtype = float32);
// `steps` values from start to end inclusive, evenly spaced, computed as PyTorch does (from start for
// the first half, from end for the second, so both ends are exact). steps ≥ 0; steps = 1 gives start.
Tensor linspace(double start, double end, std::int64_t steps, DType dtype = float32);
// 1-D tensor start, start+step, ... up to but excluding end. step must be non-zero. (PyTorch's default
// dtype here is int64 for integral arguments; lucid's is float32: pass lucid::int64 for indices.)
Tensor arange(double start, double end, double step = 1.0, DType dtype = float32);
Tensor arange(double end, DType dtype = float32);
// The random factories draw from `generator`, or from the default generator (see manual_seed) when it
// is null; each call draws all its numbers in one run of the generator's stream (framework/random.h).
// Standard normal / uniform [0, 1) samples.
Tensor randn(const Shape& shape, DType dtype = float32, bool requires_grad = false, Generator* generator = nullptr);
Tensor rand(const Shape& shape, DType dtype = float32, bool requires_grad = false, Generator* generator = nullptr);
// Integers uniform in [low, high) (int64 by default, as PyTorch), unbiased; ValueError unless low < high.
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, DType dtype = int64,
               Generator* generator = nullptr);
Tensor randint(std::int64_t high, const Shape& shape, DType dtype = int64, Generator* generator = nullptr);
// A random permutation of 0, 1, ..., n − 1 (Fisher–Yates), int64 by default.
Tensor randperm(std::int64_t n, DType dtype = int64, Generator* generator = nullptr);

}  // namespace lucid
