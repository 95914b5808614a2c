// Element types a Tensor can hold, and the switch that turns a runtime DType into a C++ type.
#pragma once

#include <cstddef>
#include <ostream>
#include <string_view>
#include <type_traits>

#include "framework/errors.h"

namespace lucid {

enum class DType { kFloat32, kFloat64 };

inline constexpr DType float32 = DType::kFloat32;
inline constexpr DType float64 = DType::kFloat64;

constexpr std::size_t element_size(DType dtype) {
  return dtype == DType::kFloat32 ? sizeof(float) : sizeof(double);
}

constexpr std::string_view dtype_name(DType dtype) {
  return dtype == DType::kFloat32 ? "float32" : "float64";
}

inline std::ostream& operator<<(std::ostream& os, DType dtype) { return os << dtype_name(dtype); }

template <typename T>
constexpr DType dtype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "lucid tensors hold float or double: use data<float>() or data<double>()");
  return std::is_same_v<T, float> ? DType::kFloat32 : DType::kFloat64;
}

// Calls fn(T{}) with T = float or double matching dtype; returns what fn returns.
template <typename Fn>
decltype(auto) visit_dtype(DType dtype, Fn&& fn) {
  if (dtype == DType::kFloat32) return fn(float{});
  return fn(double{});
}

}  // namespace lucid
