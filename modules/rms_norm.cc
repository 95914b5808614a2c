#include "modules/rms_norm.h"

#include <string>
#include <utility>

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "modules/functional/format.h"
#include "modules/functional/layer_norm.h"
#include "modules/functional/rms_norm.h"

namespace lucid::nn {

RMSNorm::RMSNorm(std::vector<std::int64_t> normalized_shape, const RMSNormOptions& opts)
    : options(opts), normalized_shape_(std::move(normalized_shape)) {
  functional::detail::check_layer_norm_config("RMSNorm", normalized_shape_, options.eps.value_or(0.0));
  weight = register_parameter(
      "weight", options.elementwise_affine ? ones(Shape(normalized_shape_), options.dtype.value_or(float32)) : Tensor());
}

Tensor RMSNorm::forward(const Tensor& input) { return forward(input, options.activation); }

Tensor RMSNorm::forward(const Tensor& input, Activation activation) {
  return functional::rms_norm(input, normalized_shape_, weight, options.eps, activation);
}

void RMSNorm::reset_parameters() {
  if (!options.elementwise_affine) return;
  autograd::no_grad guard;
  weight.fill_(1.0);
}

std::string RMSNorm::extra_repr() const {
  return functional::python_tuple(normalized_shape_) +
         ", eps=" + (options.eps ? functional::python_float(*options.eps) : std::string("None")) +
         ", elementwise_affine=" + (options.elementwise_affine ? "True" : "False") +
         (options.activation == Activation::none ? "" : ", activation=" + std::string(activation_name(options.activation)));
}

}  // namespace lucid::nn
