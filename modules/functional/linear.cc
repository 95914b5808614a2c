#include "modules/functional/linear.h"

#include <string>
#include <vector>

#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"

namespace lucid::nn::functional {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  ops_detail::check_defined("linear", {&x, &weight});
  if (weight.dim() != 2) throw ValueError("linear: weight must be 2-D (out, in), got shape " + weight.shape().str());
  if (x.dim() < 1 || x.size(-1) != weight.size(1)) {
    throw ValueError("linear: input of shape " + x.shape().str() + " does not end in in_features (" +
                     std::to_string(weight.size(1)) + ") of weight " + weight.shape().str());
  }
  if (bias.defined() && bias.shape() != Shape{weight.size(0)}) {
    throw ValueError("linear: bias of shape " + bias.shape().str() + " does not match out_features (" +
                     std::to_string(weight.size(0)) + ")");
  }
  ops_detail::check_same_dtype("linear", x, weight);
  if (bias.defined()) ops_detail::check_same_dtype("linear", x, bias);
  std::vector<std::int64_t> out_shape(x.shape().begin(), x.shape().end());
  out_shape.back() = weight.size(0);
  // The rows of x as a matrix, counted without dividing by in_features, which may be 0 (then y is
  // the bias, broadcast, as PyTorch).
  std::int64_t rows = 1;
  for (std::int64_t d = 0; d + 1 < x.dim(); ++d) rows *= x.size(d);
  // x·Wᵀ with the transpose left to the GEMM: no copy of W, forward or backward.
  Tensor y = mm(x.reshape({rows, weight.size(1)}), weight, /*transpose_a=*/false, /*transpose_b=*/true);
  if (bias.defined()) y = y + bias;
  return y.reshape(out_shape);
}

}  // namespace lucid::nn::functional
