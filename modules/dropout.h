// Dropout: in training mode zeroes each element with probability p and scales the rest by 1/(1 − p);
// in eval mode the identity. The mask comes from options.generator, or from the default generator
// (manual_seed) when it is null.
//
//   lucid::nn::Dropout drop(0.1);                       // DropoutOptions{inplace = false, generator = nullptr}
//   lucid::nn::Dropout in_place(0.1, {.inplace = true});  // writes into its input (Tensor::mul_)
//   lucid::Generator gen(42);
//   lucid::nn::Dropout own(0.1, {.generator = &gen});    // gen must outlive the module's forward calls
#pragma once

#include "modules/module.h"

namespace lucid {
class Generator;  // framework/random.h
}

namespace lucid::nn {

struct DropoutOptions {
  bool inplace = false;  // multiply the input in place (its autograd rules: Tensor::mul_)
  Generator* generator = nullptr;  // the masks' generator; null: the default generator
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
