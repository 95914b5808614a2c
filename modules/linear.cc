#include "modules/linear.h"

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "modules/functional/linear.h"
#include "modules/init.h"

namespace lucid::nn {

Linear::Linear(std::int64_t in_features, std::int64_t out_features, const LinearOptions& opts)
    : options(opts), in_features_(in_features), out_features_(out_features) {
  if (in_features < 0 || out_features < 0) {
    throw ValueError("Linear: in_features (" + std::to_string(in_features) + ") and out_features (" +
                     std::to_string(out_features) + ") must be non-negative");
  }
  const DType dtype = opts.dtype.value_or(float32);
  weight = register_parameter("weight", zeros({out_features, in_features}, dtype));
  bias = register_parameter("bias", opts.bias ? zeros({out_features}, dtype) : Tensor());
  reset_parameters();
}

void Linear::reset_parameters() {
  autograd::no_grad guard;
  init::default_uniform_(weight, in_features_);
  if (bias.defined()) init::default_uniform_(bias, in_features_);
}

Tensor Linear::forward(const Tensor& input) { return functional::linear(input, weight, bias); }

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) + ", out_features=" + std::to_string(out_features_) +
         ", bias=" + (bias.defined() ? "True" : "False");
}

}  // namespace lucid::nn
