// Parameter: a Tensor that a Module learns. A leaf that requires grad by default.
#pragma once

#include "framework/tensor.h"

namespace lucid::nn {

class Parameter : public Tensor {
 public:
  Parameter() = default;  // undefined, e.g. GroupNorm's weight when affine=false
  // Wraps data as a leaf (detached from any graph it came from).
  explicit Parameter(const Tensor& data, bool requires_grad = true)
      : Tensor(data.defined() ? data.detach() : Tensor()) {
    if (defined()) requires_grad_(requires_grad);
  }
};

}  // namespace lucid::nn
