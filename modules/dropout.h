// Dropout: in training mode zeroes each element with probability p and scales the rest by 1/(1 − p);
// in eval mode the identity. The mask comes from the default generator (manual_seed).
//
//   lucid::nn::Dropout drop(0.1);                       // DropoutOptions{inplace = false}
//   lucid::nn::Dropout in_place(0.1, {.inplace = true});  // writes into its input (Tensor::mul_)
#pragma once

#include "modules/module.h"

namespace lucid::nn {

struct DropoutOptions {
  bool inplace = false;  // multiply the input in place (its autograd rules: Tensor::mul_)
};

class Dropout : public Module {
 public:
  // ValueError unless 0 ≤ p ≤ 1.
  explicit Dropout(double p = 0.5, const DropoutOptions& options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "p=0.5, inplace=False"

  double p() const { return p_; }
  DropoutOptions options;

 private:
  double p_;
};

}  // namespace lucid::nn
