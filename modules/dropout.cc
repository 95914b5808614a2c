#include "modules/dropout.h"

#include "autodiff/ops.h"
#include "framework/factories.h"
#include "framework/number_format.h"
#include "modules/functional/format.h"

namespace lucid::nn {

Dropout::Dropout(double p, const DropoutOptions& opts) : options(opts), p_(p) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw ValueError("Dropout: p (" + format_number(p) + ") must be in [0, 1]");
  }
}

// y = x · [u ≥ p] / (1 − p), u ~ U[0, 1) per element
Tensor Dropout::forward(const Tensor& input) {
  if (!is_training() || p_ == 0.0) return input;
  const Tensor scale = p_ == 1.0 ? zeros({}, input.dtype()) : ge(rand(input.shape(), input.dtype(), false, options.generator), p_) * (1.0 / (1.0 - p_));
  if (!options.inplace) return input * scale;
  Tensor out = input;
  return out.mul_(scale);
}

std::string Dropout::extra_repr() const {
  return "p=" + functional::python_float(p_) + ", inplace=" + (options.inplace ? "True" : "False");
}

}  // namespace lucid::nn
