#include "modules/optim/sgd.h"

#include <utility>

#include "framework/number_format.h"

namespace lucid::optim {

void validate_options(const Optimizer& optimizer, const SGDOptions& options) {
  const std::string& name = optimizer.name();
  if (!detail::non_negative_finite(options.momentum)) {
    throw ValueError(name + ": momentum (" + format_number(options.momentum) + ") must be non-negative and finite");
  }
  if (!detail::non_negative_finite(options.weight_decay)) {
    throw ValueError(name + ": weight_decay (" + format_number(options.weight_decay) +
                     ") must be non-negative and finite");
  }
  if (options.nesterov && (options.momentum <= 0.0 || options.dampening != 0.0)) {
    throw ValueError(name + ": nesterov needs momentum > 0 and dampening = 0, got momentum " +
                     format_number(options.momentum) + " and dampening " + format_number(options.dampening));
  }
}

SGD::SGD(std::vector<nn::Parameter> parameters, const SGDOptions& options)
    : BasicOptimizer("SGD", std::move(parameters), options) {}

void SGD::update(const Tensor& param, const Tensor& grad, nn::StateDict& state, std::size_t g) {
  const SGDOptions& o = param_groups()[g].options;
  visit_dtype(param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::int64_t n = param.numel();
    T* p = param.data<T>();
    const T* gr = grad.data<T>();
    const T lr = static_cast<T>(o.lr), weight_decay = static_cast<T>(o.weight_decay);
    const bool decay = o.weight_decay != 0.0;
    if (o.momentum == 0.0) {
      // p ← p − lr·d,  d = g + weight_decay·p
      for (std::int64_t i = 0; i < n; ++i) p[i] -= lr * (decay ? gr[i] + weight_decay * p[i] : gr[i]);
      return;
    }
    const bool first = !state.contains("momentum_buffer");  // PyTorch starts the buffer at d, undamped
    if (first) state.insert_or_assign("momentum_buffer", Tensor::empty(param.shape(), param.dtype()));
    T* b = state.at("momentum_buffer").data<T>();
    const T momentum = static_cast<T>(o.momentum), undamped = static_cast<T>(1.0 - o.dampening);
    const bool nesterov = o.nesterov;
    for (std::int64_t i = 0; i < n; ++i) {
      const T d = decay ? gr[i] + weight_decay * p[i] : gr[i];  // d = g + weight_decay·p
      b[i] = first ? d : momentum * b[i] + undamped * d;        // b ← momentum·b + (1 − dampening)·d
      p[i] -= lr * (nesterov ? d + momentum * b[i] : b[i]);     // p ← p − lr·(d + momentum·b  or  b)
    }
  });
}

std::vector<Optimizer::StateSlot> SGD::state_slots() const { return {{"momentum_buffer", true}}; }

nn::StateDict SGD::hyperparameters(std::size_t g) const {
  const SGDOptions& o = param_groups()[g].options;
  nn::StateDict values;
  values.insert_or_assign("lr", detail::scalar(o.lr));
  values.insert_or_assign("momentum", detail::scalar(o.momentum));
  values.insert_or_assign("dampening", detail::scalar(o.dampening));
  values.insert_or_assign("weight_decay", detail::scalar(o.weight_decay));
  values.insert_or_assign("nesterov", detail::scalar(o.nesterov ? 1.0 : 0.0));
  return values;
}

SGDOptions SGD::options_from(const nn::StateDict& values) const {
  return {.lr = values.at("lr").item(),
          .momentum = values.at("momentum").item(),
          .dampening = values.at("dampening").item(),
          .weight_decay = values.at("weight_decay").item(),
          .nesterov = values.at("nesterov").item() != 0.0};
}

template class BasicOptimizer<SGDOptions>;

}  // namespace lucid::optim
