#include "modules/optim/adam.h"

#include <cmath>
#include <utility>

#include "framework/factories.h"
#include "framework/number_format.h"
#include "modules/optim/adam_kernel.h"

namespace lucid::optim {
namespace {

// The checks of validate_options, for both option types.
template <typename Options>
void validate_adam_options(const std::string& name, const Options& options) {
  for (std::size_t i = 0; i < 2; ++i) {
    if (!(options.betas[i] >= 0.0 && options.betas[i] < 1.0)) {
      throw ValueError(name + ": betas[" + std::to_string(i) + "] (" + format_number(options.betas[i]) +
                       ") must lie in [0, 1)");
    }
  }
  if (!detail::non_negative_finite(options.eps)) {
    throw ValueError(name + ": eps (" + format_number(options.eps) + ") must be non-negative and finite");
  }
  if (!detail::non_negative_finite(options.weight_decay)) {
    throw ValueError(name + ": weight_decay (" + format_number(options.weight_decay) +
                     ") must be non-negative and finite");
  }
}

}  // namespace

void validate_options(const Optimizer& optimizer, const AdamOptions& options) {
  validate_adam_options(optimizer.name(), options);
}

void validate_options(const Optimizer& optimizer, const AdamWOptions& options) {
  validate_adam_options(optimizer.name(), options);
}

Adam::Adam(std::vector<nn::Parameter> parameters, const AdamOptions& options)
    : AdamFamily("Adam", std::move(parameters), options) {}

AdamW::AdamW(std::vector<nn::Parameter> parameters, const AdamWOptions& options)
    : AdamFamily("AdamW", std::move(parameters), options) {}

template <typename Options, bool Decoupled>
void AdamFamily<Options, Decoupled>::update(const Tensor& param, const Tensor& grad, nn::StateDict& state,
                                            std::size_t g) {
  const Options& o = this->param_groups()[g].options;
  if (state.empty()) {
    state.insert_or_assign("step", detail::scalar(0.0));
    state.insert_or_assign("exp_avg", zeros(param.shape(), param.dtype()));
    state.insert_or_assign("exp_avg_sq", zeros(param.shape(), param.dtype()));
  }
  double& step = *state.at("step").data<double>();
  step += 1.0;
  // Bias corrections of this step: 1 − β₁ᵗ and 1 − β₂ᵗ.
  const double bias_correction1 = 1.0 - std::pow(o.betas[0], step);
  const double bias_correction2 = 1.0 - std::pow(o.betas[1], step);
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
                                              .beta1 = static_cast<T>(o.betas[0]),
                                              .one_minus_beta1 = static_cast<T>(1.0 - o.betas[0]),
                                              .beta2 = static_cast<T>(o.betas[1]),
                                              .one_minus_beta2 = static_cast<T>(1.0 - o.betas[1]),
                                              .step_size = static_cast<T>(o.lr / bias_correction1),
                                              .bias_correction2_sqrt = static_cast<T>(std::sqrt(bias_correction2)),
                                              .eps = static_cast<T>(o.eps),
                                              .l2 = static_cast<T>(Decoupled ? 0.0 : o.weight_decay),
                                              .shrink = static_cast<T>(Decoupled ? 1.0 - o.lr * o.weight_decay : 1.0)});
  });
}

template <typename Options, bool Decoupled>
std::vector<Optimizer::StateSlot> AdamFamily<Options, Decoupled>::state_slots() const {
  return {{"step", false}, {"exp_avg", true}, {"exp_avg_sq", true}};
}

template <typename Options, bool Decoupled>
nn::StateDict AdamFamily<Options, Decoupled>::hyperparameters(std::size_t g) const {
  const Options& o = this->param_groups()[g].options;
  nn::StateDict values;
  values.insert_or_assign("lr", detail::scalar(o.lr));
  values.insert_or_assign("betas", tensor(std::vector<double>{o.betas[0], o.betas[1]}, {2}));
  values.insert_or_assign("eps", detail::scalar(o.eps));
  values.insert_or_assign("weight_decay", detail::scalar(o.weight_decay));
  return values;
}

template <typename Options, bool Decoupled>
Options AdamFamily<Options, Decoupled>::options_from(const nn::StateDict& values) const {
  const std::vector<double> betas = values.at("betas").to_vector<double>();
  return {.lr = values.at("lr").item(),
          .betas = {betas[0], betas[1]},
          .eps = values.at("eps").item(),
          .weight_decay = values.at("weight_decay").item()};
}

template class BasicOptimizer<AdamOptions>;
template class BasicOptimizer<AdamWOptions>;
template class AdamFamily<AdamOptions, false>;
template class AdamFamily<AdamWOptions, true>;

}  // namespace lucid::optim
