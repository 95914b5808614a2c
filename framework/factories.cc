#include "framework/factories.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "framework/kernels/layout.h"
#include "framework/number_format.h"
#include "framework/random.h"

namespace lucid {
namespace {

template <typename T>
Tensor from_values(const T* values, std::size_t count, const Shape& shape, bool requires_grad) {
  if (static_cast<std::int64_t>(count) != shape.numel()) {
    throw ValueError("tensor: " + std::to_string(count) + " values cannot fill shape " + shape.str() + " (" +
                     std::to_string(shape.numel()) + " elements)");
  }
  Tensor t = Tensor::empty(shape, dtype_of<T>());
  std::copy_n(values, count, t.data<T>());
  t.requires_grad_(requires_grad);
  return t;
}

template <typename Draw>
Tensor sample(const char* op, const Shape& shape, DType dtype, bool requires_grad, Draw draw) {
  if (!is_floating_point(dtype)) {
    throw ValueError(std::string(op) + ": samples are float32 or float64, got dtype " + std::string(dtype_name(dtype)));
  }
  Tensor t = Tensor::empty(shape, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(draw());
  });
  t.requires_grad_(requires_grad);
  return t;
}

}  // namespace

Tensor tensor(const std::vector<float>& values, const Shape& shape, bool requires_grad) {
  return from_values(values.data(), values.size(), shape, requires_grad);
}

Tensor tensor(const std::vector<double>& values, const Shape& shape, bool requires_grad) {
  return from_values(values.data(), values.size(), shape, requires_grad);
}

Tensor tensor(const std::vector<std::int64_t>& values, const Shape& shape, bool requires_grad) {
  return from_values(values.data(), values.size(), shape, requires_grad);
}

Tensor tensor(std::initializer_list<double> values, const Shape& shape, bool requires_grad) {
  std::vector<float> as_float(values.begin(), values.end());
  return from_values(as_float.data(), as_float.size(), shape, requires_grad);
}

Tensor scalar_tensor(double value, DType dtype, bool requires_grad) { return full({}, value, dtype, requires_grad); }

Tensor full(const Shape& shape, double value, DType dtype, bool requires_grad) {
  Tensor t = Tensor::empty(shape, dtype);
  kernels::fill(t, value);
  t.requires_grad_(requires_grad);
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, bool requires_grad) { return full(shape, 0.0, dtype, requires_grad); }
Tensor ones(const Shape& shape, DType dtype, bool requires_grad) { return full(shape, 1.0, dtype, requires_grad); }
Tensor zeros_like(const Tensor& like) { return zeros(like.shape(), like.dtype()); }
Tensor ones_like(const Tensor& like) { return ones(like.shape(), like.dtype()); }

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0.0 || !std::isfinite(step) || !std::isfinite(start) || !std::isfinite(end)) {
    throw ValueError("arange: start (" + format_number(start) + "), end (" + format_number(end) + ") and step (" +
                     format_number(step) + ") must be finite and step non-zero");
  }
  if ((end - start) * step < 0.0) {  // PyTorch raises too: the range never reaches end
    throw ValueError("arange: end (" + format_number(end) + ") lies on the other side of start (" +
                     format_number(start) + ") from where step (" + format_number(step) + ") goes");
  }
  const double span = std::max(0.0, std::ceil((end - start) / step));  // may be inf when end − start overflows
  if (!(span < 0x1p63)) {
    throw ValueError("arange: start (" + format_number(start) + "), end (" + format_number(end) + ") and step (" +
                     format_number(step) + ") give " + format_number(span) + " elements, more than int64 can count");
  }
  const auto count = static_cast<std::int64_t>(span);
  Tensor t = Tensor::empty({count}, dtype);
  visit_any_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (std::int64_t i = 0; i < count; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return t;
}

Tensor arange(double end, DType dtype) { return arange(0.0, end, 1.0, dtype); }

Tensor randn(const Shape& shape, DType dtype, bool requires_grad) {
  return sample("randn", shape, dtype, requires_grad, [] { return default_generator().normal(); });
}

Tensor rand(const Shape& shape, DType dtype, bool requires_grad) {
  // float32 keeps the top 24 bits, floor(u·2²⁴)/2²⁴: rounding u ∈ [1 − 2⁻²⁵, 1) to float would give 1.
  return sample("rand", shape, dtype, requires_grad, [dtype] {
    const double u = default_generator().uniform();
    return dtype == float32 ? std::ldexp(std::floor(std::ldexp(u, 24)), -24) : u;
  });
}

}  // namespace lucid
