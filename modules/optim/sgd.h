// SGD: stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
// decay, with PyTorch's torch.optim.SGD semantics (1.13), per parameter group:
//
//   d ← g + weight_decay·p
//   b ← d (first step), else momentum·b + (1 − dampening)·d        (when momentum ≠ 0)
//   d ← d + momentum·b (nesterov), else b                          (when momentum ≠ 0)
//   p ← p − lr·d
//
//   lucid::optim::SGD opt(model.parameters(), {.lr = 0.1, .momentum = 0.9, .nesterov = true});
#pragma once

#include <vector>

#include "modules/optim/optimizer.h"

namespace lucid::optim {

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

// ValueError naming the values when momentum or weight_decay is negative or not finite, or nesterov is
// set without momentum > 0 and dampening = 0 (lr is the Optimizer's to check).
void validate_options(const Optimizer& optimizer, const SGDOptions& options);

class SGD : public BasicOptimizer<SGDOptions> {
 public:
  // ValueError naming the values when lr is negative or not finite, or validate_options refuses.
  SGD(std::vector<nn::Parameter> parameters, const SGDOptions& options = {});

 protected:
  void update(const Tensor& param, const Tensor& grad, nn::StateDict& state, std::size_t g) override;
  std::vector<StateSlot> state_slots() const override;  // "momentum_buffer" (once momentum ≠ 0)
  nn::StateDict hyperparameters(std::size_t g) const override;
  SGDOptions options_from(const nn::StateDict& values) const override;
};

extern template class BasicOptimizer<SGDOptions>;

}  // namespace lucid::optim
