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

// Fills a floating tensor with draw(draws) per element, in one run of the generator's stream.
template <typename Draw>
Tensor sample(const char* op, const Shape& shape, DType dtype, bool requires_grad, Generator* generator, Draw draw) {
  if (!is_floating_point(dtype)) {
    throw ValueError(std::string(op) + ": samples are float32 or float64, got dtype " + std::string(dtype_name(dtype)));
  }
  Tensor t = Tensor::empty(shape, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    Generator::Draws draws = generator_or_default(generator).draws();
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(draw(draws));
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

Tensor tensor(const std::vector<float>& values) { return tensor(values, {static_cast<std::int64_t>(values.size())}); }
Tensor tensor(const std::vector<double>& values) { return tensor(values, {static_cast<std::int64_t>(values.size())}); }
Tensor tensor(const std::vector<std::int64_t>& values) {
  return tensor(values, {static_cast<std::int64_t>(values.size())});
}
Tensor tensor(std::initializer_list<double> values) {
  return tensor(values, {static_cast<std::int64_t>(values.size())});
}

Tensor tensor(std::initializer_list<std::initializer_list<double>> rows) {
  const std::size_t columns = rows.size() == 0 ? 0 : rows.begin()->size();
  std::vector<float> values;
  std::size_t row_index = 0;
  for (const auto& row : rows) {
    if (row.size() != columns) {
      throw ValueError("tensor: row " + std::to_string(row_index) + " has " + std::to_string(row.size()) +
                       " values, row 0 has " + std::to_string(columns) + " (rows must have one length)");
    }
    values.insert(values.end(), row.begin(), row.end());
    ++row_index;
  }
  return tensor(values, {static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(columns)});
}

Tensor from_blob(void* data, const Shape& shape, DType dtype) {
  if (data == nullptr && shape.numel() > 0) {
    throw ValueError("from_blob: a null pointer for shape " + shape.str() + " (" + std::to_string(shape.numel()) +
                     " elements)");
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(data, static_cast<std::size_t>(shape.numel()) * element_size(dtype),
                                            Storage::Borrowed{});
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
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
Tensor zeros_like(const Tensor& like, std::optional<DType> dtype) {
  return zeros(like.shape(), dtype.value_or(like.dtype()));
}
Tensor ones_like(const Tensor& like, std::optional<DType> dtype) { return ones(like.shape(), dtype.value_or(like.dtype())); }
Tensor full_like(const Tensor& like, double value, std::optional<DType> dtype) {
  return full(like.shape(), value, dtype.value_or(like.dtype()));
}
Tensor empty_like(const Tensor& like, std::optional<DType> dtype) {
  return Tensor::empty(like.shape(), dtype.value_or(like.dtype()));
}
Tensor rand_like(const Tensor& like, std::optional<DType> dtype) { return rand(like.shape(), dtype.value_or(like.dtype())); }
Tensor randn_like(const Tensor& like, std::optional<DType> dtype) {
  return randn(like.shape(), dtype.value_or(like.dtype()));
}

Tensor eye(std::int64_t n, DType dtype) { return eye(n, n, dtype); }

Tensor eye(std::int64_t n, std::int64_t m, DType dtype) {
  if (n < 0 || m < 0) {
    throw ValueError("eye: n (" + std::to_string(n) + ") and m (" + std::to_string(m) + ") must be non-negative");
  }
  Tensor t = zeros({n, m}, dtype);
  visit_any_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (std::int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = T(1);
  });
  return t;
}

Tensor linspace(double start, double end, std::int64_t steps, DType dtype) {
  if (steps < 0 || !std::isfinite(start) || !std::isfinite(end)) {
    throw ValueError("linspace: start (" + format_number(start) + ") and end (" + format_number(end) +
                     ") must be finite and steps (" + std::to_string(steps) + ") non-negative");
  }
  Tensor t = Tensor::empty({steps}, dtype);
  // PyTorch's CPU kernel: start + i·step for the first half, end − (steps − 1 − i)·step for the rest.
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  const std::int64_t half = steps / 2;
  visit_any_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (std::int64_t i = 0; i < steps; ++i) {
      const double v = i < half ? start + step * static_cast<double>(i) : end - step * static_cast<double>(steps - 1 - i);
      p[i] = static_cast<T>(v);
    }
  });
  return t;
}

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

Tensor randn(const Shape& shape, DType dtype, bool requires_grad, Generator* generator) {
  return sample("randn", shape, dtype, requires_grad, generator, [](Generator::Draws& draws) { return draws.normal(); });
}

Tensor rand(const Shape& shape, DType dtype, bool requires_grad, Generator* generator) {
  // float32 keeps the top 24 bits, floor(u·2²⁴)/2²⁴: rounding u ∈ [1 − 2⁻²⁵, 1) to float would give 1.
  return sample("rand", shape, dtype, requires_grad, generator, [dtype](Generator::Draws& draws) {
    const double u = draws.uniform();
    return dtype == float32 ? std::ldexp(std::floor(std::ldexp(u, 24)), -24) : u;
  });
}

namespace {

// Uniform in [0, range), range > 0, unbiased: draws below 2⁶⁴ mod range are rejected.
std::uint64_t uniform_below(Generator::Draws& draws, std::uint64_t range) {
  const std::uint64_t threshold = (0 - range) % range;
  for (;;) {
    const std::uint64_t draw = draws.next_u64();
    if (draw >= threshold) return draw % range;
  }
}

// Fills an int64 or floating tensor with `value(i)` for element i.
template <typename Value>
Tensor integers(const Shape& shape, DType dtype, Value value) {
  Tensor t = Tensor::empty(shape, dtype);
  visit_any_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(value(i));
  });
  return t;
}

}  // namespace

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, DType dtype, Generator* generator) {
  if (low >= high) {
    throw ValueError("randint: low (" + std::to_string(low) + ") must be less than high (" + std::to_string(high) + ")");
  }
  const std::uint64_t range = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  Generator::Draws draws = generator_or_default(generator).draws();
  return integers(shape, dtype, [&](std::int64_t) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + uniform_below(draws, range));
  });
}

Tensor randint(std::int64_t high, const Shape& shape, DType dtype, Generator* generator) {
  return randint(0, high, shape, dtype, generator);
}

Tensor randperm(std::int64_t n, DType dtype, Generator* generator) {
  if (n < 0) throw ValueError("randperm: n (" + std::to_string(n) + ") must be non-negative");
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  {
    Generator::Draws draws = generator_or_default(generator).draws();
    for (std::int64_t i = n - 1; i > 0; --i) {
      const auto j = uniform_below(draws, static_cast<std::uint64_t>(i) + 1);
      std::swap(order[static_cast<std::size_t>(i)], order[j]);
    }
  }
  return integers({n}, dtype, [&](std::int64_t i) { return order[static_cast<std::size_t>(i)]; });
}

}  // namespace lucid
