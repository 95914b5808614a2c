#include "modules/dropout.h"

#include "autodiff/ops.h"
#include "framework/factories.h"
#include "framework/number_format.h"
#include "modules/functional/format.h"

namespace lucid::nn {

Dropout::Dropout(double p) : p_(p) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw ValueError("Dropout: p (" + format_number(p) + ") must be in [0, 1]");
  }
}

// y = x · [u ≥ p] / (1 − p), u ~ U[0, 1) per element
Tensor Dropout::forward(const Tensor& input) {
  if (!is_training() || p_ == 0.0) return input;
  if (p_ == 1.0) return input * 0.0;
  const Tensor keep = greater(rand(input.shape(), input.dtype()), full({}, p_, input.dtype()));
  return input * (keep * (1.0 / (1.0 - p_)));
}

std::string Dropout::extra_repr() const {
  return "p=" + functional::python_float(p_) + ", inplace=False";  // no in-place dropout; PyTorch prints the flag
}

}  // namespace lucid::nn
