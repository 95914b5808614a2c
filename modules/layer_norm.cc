#include "modules/layer_norm.h"

#include <string>
#include <utility>

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "modules/functional/format.h"
#include "modules/functional/layer_norm.h"

namespace lucid::nn {

LayerNorm::LayerNorm(std::vector<std::int64_t> normalized_shape, const LayerNormOptions& opts)
    : options(opts), normalized_shape_(std::move(normalized_shape)) {
  functional::detail::check_layer_norm_config("LayerNorm", normalized_shape_, options.eps);
  const DType dtype = options.dtype.value_or(float32);
  const bool affine = options.elementwise_affine;
  weight = register_parameter("weight", affine ? ones(Shape(normalized_shape_), dtype) : Tensor());
  bias = register_parameter("bias", affine ? zeros(Shape(normalized_shape_), dtype) : Tensor());
}

Tensor LayerNorm::forward(const Tensor& input) { return forward(input, options.activation); }

Tensor LayerNorm::forward(const Tensor& input, Activation activation) {
  return functional::layer_norm(input, normalized_shape_, weight, bias, options.eps, activation);
}

void LayerNorm::reset_parameters() {
  if (!options.elementwise_affine) return;
  autograd::no_grad guard;
  weight.fill_(1.0);
  bias.fill_(0.0);
}

std::string LayerNorm::extra_repr() const {
  return functional::python_tuple(normalized_shape_) + ", eps=" + functional::python_float(options.eps) +
         ", elementwise_affine=" + (options.elementwise_affine ? "True" : "False") +
         (options.activation == Activation::none ? "" : ", activation=" + std::string(activation_name(options.activation)));
}

}  // namespace lucid::nn
