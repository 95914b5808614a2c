// Adam and AdamW with PyTorch's torch.optim.Adam / AdamW semantics (1.13, amsgrad=False), per parameter
// group. Per step t (counted per parameter, from 1):
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

// ValueError naming the value when eps or weight_decay is negative or not finite, or a beta lies outside
// [0, 1) (lr is the Optimizer's to check).
void validate_options(const Optimizer& optimizer, const AdamOptions& options);
void validate_options(const Optimizer& optimizer, const AdamWOptions& options);

// What Adam and AdamW share: everything but the options type and where weight decay goes (Decoupled:
// shrink the parameter, AdamW; else add to the gradient, Adam). Instantiated in adam.cc for both.
template <typename Options, bool Decoupled>
class AdamFamily : public BasicOptimizer<Options> {
 protected:
  using BasicOptimizer<Options>::BasicOptimizer;
  using typename Optimizer::StateSlot;

  void update(const Tensor& param, const Tensor& grad, nn::StateDict& state, std::size_t g) override;
  std::vector<StateSlot> state_slots() const override;  // "step", "exp_avg" (m), "exp_avg_sq" (v)
  nn::StateDict hyperparameters(std::size_t g) const override;
  Options options_from(const nn::StateDict& values) const override;
};

class Adam : public AdamFamily<AdamOptions, false> {
 public:
  // ValueError naming the value when lr is negative or not finite, or validate_options refuses.
  Adam(std::vector<nn::Parameter> parameters, const AdamOptions& options = {});
};

class AdamW : public AdamFamily<AdamWOptions, true> {
 public:
  AdamW(std::vector<nn::Parameter> parameters, const AdamWOptions& options = {});
};

extern template class BasicOptimizer<AdamOptions>;
extern template class BasicOptimizer<AdamWOptions>;
extern template class AdamFamily<AdamOptions, false>;
extern template class AdamFamily<AdamWOptions, true>;

}  // namespace lucid::optim
