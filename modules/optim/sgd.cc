#include "modules/optim/sgd.h"

#include <utility>

#include "framework/number_format.h"

namespace lucid::optim {

SGD::SGD(std::vector<nn::Parameter> parameters, const SGDOptions& options)
    : Optimizer("SGD", std::move(parameters), options.lr),
      momentum_(options.momentum),
      dampening_(options.dampening),
      weight_decay_(options.weight_decay),
      nesterov_(options.nesterov) {
  validate(options);
}

void SGD::validate(const SGDOptions& options) const {
  if (!detail::non_negative_finite(options.momentum)) {
    throw ValueError("SGD: momentum (" + format_number(options.momentum) + ") must be non-negative and finite");
  }
  if (!detail::non_negative_finite(options.weight_decay)) {
    throw ValueError("SGD: weight_decay (" + format_number(options.weight_decay) + ") must be non-negative and finite");
  }
  if (options.nesterov && (options.momentum <= 0.0 || options.dampening != 0.0)) {
    throw ValueError("SGD: nesterov needs momentum > 0 and dampening = 0, got momentum " +
                     format_number(options.momentum) + " and dampening " + format_number(options.dampening));
  }
}

SGDOptions SGD::options() const { return {lr(), momentum_, dampening_, weight_decay_, nesterov_}; }

void SGD::update(const Tensor& param, const Tensor& grad, nn::StateDict& state) {
  visit_dtype(param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::int64_t n = param.numel();
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    const T lr = static_cast<T>(this->lr()), weight_decay = static_cast<T>(weight_decay_);
    const bool decay = weight_decay_ != 0.0;
    if (momentum_ == 0.0) {
      // p ← p − lr·d,  d = g + weight_decay·p
      for (std::int64_t i = 0; i < n; ++i) p[i] -= lr * (decay ? g[i] + weight_decay * p[i] : g[i]);
      return;
    }
    const bool first = !state.contains("momentum_buffer");  // PyTorch starts the buffer at d, undamped
    if (first) state.insert_or_assign("momentum_buffer", Tensor::empty(param.shape(), param.dtype()));
    T* b = state.at("momentum_buffer").data<T>();
    const T momentum = static_cast<T>(momentum_), undamped = static_cast<T>(1.0 - dampening_);
    const bool nesterov = nesterov_;
    for (std::int64_t i = 0; i < n; ++i) {
      const T d = decay ? g[i] + weight_decay * p[i] : g[i];  // d = g + weight_decay·p
      b[i] = first ? d : momentum * b[i] + undamped * d;      // b ← momentum·b + (1 − dampening)·d
      p[i] -= lr * (nesterov ? d + momentum * b[i] : b[i]);   // p ← p − lr·(d + momentum·b  or  b)
    }
  });
}

std::vector<Optimizer::StateSlot> SGD::state_slots() const { return {{"momentum_buffer", true}}; }

nn::StateDict SGD::hyperparameters() const {
  nn::StateDict values;
  values.insert_or_assign("lr", detail::scalar(lr()));
  values.insert_or_assign("momentum", detail::scalar(momentum_));
  values.insert_or_assign("dampening", detail::scalar(dampening_));
  values.insert_or_assign("weight_decay", detail::scalar(weight_decay_));
  values.insert_or_assign("nesterov", detail::scalar(nesterov_ ? 1.0 : 0.0));
  return values;
}

void SGD::set_hyperparameters(const nn::StateDict& values) {
  const SGDOptions options{.lr = values.at("lr").item(),
                           .momentum = values.at("momentum").item(),
                           .dampening = values.at("dampening").item(),
                           .weight_decay = values.at("weight_decay").item(),
                           .nesterov = values.at("nesterov").item() != 0.0};
  check_lr(options.lr);
  validate(options);
  assign_lr(options.lr);
  momentum_ = options.momentum;
  dampening_ = options.dampening;
  weight_decay_ = options.weight_decay;
  nesterov_ = options.nesterov;
}

}  // namespace lucid::optim
