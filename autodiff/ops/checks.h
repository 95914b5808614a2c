// Argument checks shared by the differentiable ops.
#pragma once

#include <string>

#include "framework/tensor.h"

namespace lucid::ops_detail {

// Throws ValueError unless a and b have the same dtype.
inline void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) {
    throw ValueError(std::string(op) + ": operands have different dtypes (" + std::string(dtype_name(a.dtype())) +
                     " and " + std::string(dtype_name(b.dtype())) + "); convert one with .to(dtype)");
  }
}

}  // namespace lucid::ops_detail
