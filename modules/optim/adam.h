// Adam and AdamW with PyTorch's torch.optim.Adam / AdamW semantics (1.13, amsgrad=False). Per step t
// (counted per parameter, from 1):
//
//   Adam:   g ← g + weight_decay·p                 (L2 penalty added to the gradient)
//   AdamW:  p ← p·(1 − lr·weight_decay)            (decoupled weight decay)
//   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
//   p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps)
//
//   lucid::optim::Adam adam(model.parameters(), {.lr = 1e-3, .betas = {0.9, 0.98}});
//   lucid::optim::AdamW adamw(model.parameters(), {.lr = 2e-3});   // weight_decay 1e-2
#pragma once

#include <array>
#include <string>
#include <vector>

#include "modules/optim/optimizer.h"

namespace lucid::optim {

struct AdamOptions {
  double lr = 1e-3;
  std::array<double, 2> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
};

// AdamOptions with AdamW's default weight decay.
struct AdamWOptions {
  double lr = 1e-3;
  std::array<double, 2> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
};

class Adam : public Optimizer {
 public:
  // ValueError naming the value when lr, eps or weight_decay is negative or not finite, or a beta lies
  // outside [0, 1).
  Adam(std::vector<nn::Parameter> parameters, const AdamOptions& options = {});

  // The current hyperparameters (lr as set by set_lr or a scheduler).
  AdamOptions options() const;

 protected:
  // decoupled: weight decay shrinks the parameter (AdamW) instead of adding to the gradient (Adam).
  Adam(std::string name, std::vector<nn::Parameter> parameters, const AdamOptions& options, bool decoupled);

  void update(const Tensor& param, const Tensor& grad, nn::StateDict& state) override;
  std::vector<StateSlot> state_slots() const override;  // "step", "exp_avg" (m), "exp_avg_sq" (v)
  nn::StateDict hyperparameters() const override;
  void set_hyperparameters(const nn::StateDict& values) override;

 private:
  // Checks everything but lr (checked by the Optimizer).
  void validate(const AdamOptions& options) const;

  std::array<double, 2> betas_;
  double eps_;
  double weight_decay_;
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<nn::Parameter> parameters, const AdamWOptions& options = {});
};

}  // namespace lucid::optim
