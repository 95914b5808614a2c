// Element types a Tensor can hold, and the switches that turn a runtime DType into a C++ type.
//
// float32 and float64 are the floating types every op computes in. int64 holds indices and class
// targets (argmax's result, cross_entropy's targets, index_select's indices): it can be made,
// printed, converted with to(dtype), reshaped, permuted and compared, and never requires a gradient.
// Arithmetic on it raises ValueError (convert with .to(lucid::float32) first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include "framework/errors.h"

namespace lucid {

enum class DType { kFloat32, kFloat64, kInt64 };

inline constexpr DType float32 = DType::kFloat32;
inline constexpr DType float64 = DType::kFloat64;
inline constexpr DType int64 = DType::kInt64;

constexpr std::size_t element_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return sizeof(float);
    case DType::kFloat64: return sizeof(double);
    case DType::kInt64: return sizeof(std::int64_t);
  }
  return 0;
}

constexpr std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kInt64: return "int64";
  }
  return "unknown dtype";
}

constexpr bool is_floating_point(DType dtype) { return dtype == DType::kFloat32 || dtype == DType::kFloat64; }

inline std::ostream& operator<<(std::ostream& os, DType dtype) { return os << dtype_name(dtype); }

template <typename T>
constexpr DType dtype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>,
                "lucid tensors hold float, double or std::int64_t: use data<float>(), data<double>() or "
                "data<std::int64_t>()");
  if constexpr (std::is_same_v<T, float>) return DType::kFloat32;
  if constexpr (std::is_same_v<T, double>) return DType::kFloat64;
  return DType::kInt64;
}

// ValueError for an op that computes in floating point and was given `dtype`.
[[noreturn]] inline void throw_not_floating_point(DType dtype) {
  throw ValueError("expected a floating-point tensor (float32 or float64), got " + std::string(dtype_name(dtype)) +
                   "; convert it with .to(lucid::float32)");
}

// Calls fn(T{}) with T = float or double matching dtype; returns what fn returns. Any other dtype
// (int64) raises ValueError: the arithmetic kernels exist for floating types only.
template <typename Fn>
decltype(auto) visit_dtype(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32: return fn(float{});
    case DType::kFloat64: return fn(double{});
    case DType::kInt64: break;
  }
  throw_not_floating_point(dtype);
}

// Calls fn(T{}) with T = float, double or std::int64_t matching dtype: for code that moves or
// converts values without arithmetic (copies, fills, printing, comparisons, indexing).
template <typename Fn>
decltype(auto) visit_any_dtype(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32: return fn(float{});
    case DType::kFloat64: return fn(double{});
    case DType::kInt64: break;
  }
  return fn(std::int64_t{});
}

}  // namespace lucid
