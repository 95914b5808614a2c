// Argument checks shared by the differentiable ops.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <source_location>
#include <string>
#include <string_view>

#include "framework/tensor.h"

namespace lucid::ops_detail {

// Throws ValueError naming op and the argument's position unless every tensor is defined (so the
// message says which call met a default-constructed or moved-from Tensor).
inline void check_defined(std::string_view op, std::initializer_list<const Tensor*> tensors) {
  std::size_t position = 1;
  for (const Tensor* t : tensors) {
    if (!t->defined()) {
      throw ValueError(std::string(op) + ": argument " + std::to_string(position) + " of " +
                       std::to_string(tensors.size()) + " is an undefined Tensor (default-constructed or moved-from)");
    }
    ++position;
  }
}

// t itself, or t.contiguous() (a differentiable copy) when t is a strided view: the operands of ops
// whose kernels read raw row-major data and whose backwards save them. Undefined stays undefined.
inline Tensor row_major(const Tensor& t) { return t.defined() && !t.is_contiguous() ? t.contiguous() : t; }

// The unqualified name of the function at `where`, e.g. "add" for lucid::add(const Tensor&, const Tensor&):
// what the user called when `where` is a default argument of a helper that public ops call.
inline std::string_view function_name(const std::source_location& where) {
  std::string_view name = where.function_name();
  name = name.substr(0, name.find('('));
  const std::size_t start = name.find_last_of(": ");
  return start == std::string_view::npos ? name : name.substr(start + 1);
}

// PyTorch's type promotion of operands (torch.result_type): float64 > float32 > int64 within each
// priority class, dimensioned tensors first. A 0-d tensor takes part only when its category is higher
// (a floating 0-d tensor with int64 tensors): float32 ⊕ float64 → float64 for two dimensioned
// tensors, but a 0-d float64 does not promote a dimensioned float32 tensor.
DType promote_types(DType a, DType b);
DType result_type(std::initializer_list<const Tensor*> operands);

// Throws ValueError unless a and b have the same dtype.
inline void check_same_dtype(std::string_view op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) {
    throw ValueError(std::string(op) + ": operands have different dtypes (" + std::string(dtype_name(a.dtype())) +
                     " and " + std::string(dtype_name(b.dtype())) + "); convert one with .to(dtype)");
  }
}

}  // namespace lucid::ops_detail
