// Dropout: in training mode zeroes each element with probability p and scales the rest by 1/(1 − p);
// in eval mode the identity. The mask comes from the default generator (manual_seed).
#pragma once

#include "modules/module.h"

namespace lucid::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "p=0.5, inplace=False"

 private:
  double p_;
};

}  // namespace lucid::nn
