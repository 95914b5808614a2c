#include "modules/optim/adam.h"

#include <cmath>
#include <utility>

#include "framework/factories.h"
#include "framework/number_format.h"
#include "modules/optim/adam_kernel.h"

namespace lucid::optim {

Adam::Adam(std::vector<nn::Parameter> parameters, const AdamOptions& options)
    : Adam("Adam", std::move(parameters), options, false) {}

Adam::Adam(std::string name, std::vector<nn::Parameter> parameters, const AdamOptions& options, bool decoupled)
    : Optimizer(std::move(name), std::move(parameters), options.lr),
      betas_(options.betas),
      eps_(options.eps),
      weight_decay_(options.weight_decay),
      decoupled_(decoupled) {
  validate(options);
}

AdamW::AdamW(std::vector<nn::Parameter> parameters, const AdamWOptions& options)
    : Adam("AdamW", std::move(parameters), {options.lr, options.betas, options.eps, options.weight_decay}, true) {}

void Adam::validate(const AdamOptions& options) const {
  for (std::size_t i = 0; i < 2; ++i) {
    if (!(options.betas[i] >= 0.0 && options.betas[i] < 1.0)) {
      throw ValueError(name() + ": betas[" + std::to_string(i) + "] (" + format_number(options.betas[i]) +
                       ") must lie in [0, 1)");
    }
  }
  if (!detail::non_negative_finite(options.eps)) {
    throw ValueError(name() + ": eps (" + format_number(options.eps) + ") must be non-negative and finite");
  }
  if (!detail::non_negative_finite(options.weight_decay)) {
    throw ValueError(name() + ": weight_decay (" + format_number(options.weight_decay) +
                     ") must be non-negative and finite");
  }
}

AdamOptions Adam::options() const { return {lr(), betas_, eps_, weight_decay_}; }

void Adam::update(const Tensor& param, const Tensor& grad, nn::StateDict& state) {
  if (state.empty()) {
    state.insert_or_assign("step", detail::scalar(0.0));
    state.insert_or_assign("exp_avg", zeros(param.shape(), param.dtype()));
    state.insert_or_assign("exp_avg_sq", zeros(param.shape(), param.dtype()));
  }
  double& step = *state.at("step").data<double>();
  step += 1.0;
  // Bias corrections of this step: 1 − β₁ᵗ and 1 − β₂ᵗ.
  const double bias_correction1 = 1.0 - std::pow(betas_[0], step);
  const double bias_correction2 = 1.0 - std::pow(betas_[1], step);
  // The update itself, per element (kernels::adam_update): AdamW first shrinks p by 1 − lr·weight_decay,
  // Adam adds weight_decay·p to g; then m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g²,
  // p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps).
  visit_dtype(param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::adam_update(kernels::AdamArgs<T>{.param = param.data<T>(),
                                              .grad = grad.data<T>(),
                                              .exp_avg = state.at("exp_avg").data<T>(),
                                              .exp_avg_sq = state.at("exp_avg_sq").data<T>(),
                                              .n = static_cast<std::size_t>(param.numel()),
                                              .beta1 = static_cast<T>(betas_[0]),
                                              .one_minus_beta1 = static_cast<T>(1.0 - betas_[0]),
                                              .beta2 = static_cast<T>(betas_[1]),
                                              .one_minus_beta2 = static_cast<T>(1.0 - betas_[1]),
                                              .step_size = static_cast<T>(lr() / bias_correction1),
                                              .bias_correction2_sqrt = static_cast<T>(std::sqrt(bias_correction2)),
                                              .eps = static_cast<T>(eps_),
                                              .l2 = static_cast<T>(decoupled_ ? 0.0 : weight_decay_),
                                              .shrink = static_cast<T>(decoupled_ ? 1.0 - lr() * weight_decay_ : 1.0)});
  });
}

std::vector<Optimizer::StateSlot> Adam::state_slots() const {
  return {{"step", false}, {"exp_avg", true}, {"exp_avg_sq", true}};
}

nn::StateDict Adam::hyperparameters() const {
  nn::StateDict values;
  values.insert_or_assign("lr", detail::scalar(lr()));
  values.insert_or_assign("betas", tensor(std::vector<double>{betas_[0], betas_[1]}, {2}));
  values.insert_or_assign("eps", detail::scalar(eps_));
  values.insert_or_assign("weight_decay", detail::scalar(weight_decay_));
  return values;
}

void Adam::set_hyperparameters(const nn::StateDict& values) {
  const std::vector<double> betas = values.at("betas").to_vector<double>();
  const AdamOptions options{.lr = values.at("lr").item(),
                            .betas = {betas[0], betas[1]},
                            .eps = values.at("eps").item(),
                            .weight_decay = values.at("weight_decay").item()};
  check_lr(options.lr);
  validate(options);
  assign_lr(options.lr);
  betas_ = options.betas;
  eps_ = options.eps;
  weight_decay_ = options.weight_decay;
}

}  // namespace lucid::optim
