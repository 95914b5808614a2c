// Activation layers: thin modules over the fused elementwise ops (autodiff/ops.h).
#pragma once

#include <string>
#include <utility>

#include "autodiff/ops.h"
#include "modules/module.h"

namespace lucid::nn {

// inplace = true writes the result into the input (Tensor::relu_ / silu_, with their autograd rules:
// the input must not be a leaf that requires grad) and returns the input.
struct ActivationOptions {
  bool inplace = false;
};
using ReLUOptions = ActivationOptions;
using SiLUOptions = ActivationOptions;

// An activation with PyTorch's inplace option: op(x), or x.op_() when inplace.
template <Tensor (*Op)(const Tensor&), Tensor& (Tensor::*InPlaceOp)()>
class ActivationWithInplace : public Module {
 public:
  explicit ActivationWithInplace(ActivationOptions opts = {}) : options(opts) {}
  Tensor forward(const Tensor& input) override {
    if (!options.inplace) return Op(input);
    Tensor out = input;
    return (out.*InPlaceOp)();
  }
  std::string extra_repr() const override { return options.inplace ? "inplace=True" : ""; }
  ActivationOptions options;
};

class ReLU : public ActivationWithInplace<relu, &Tensor::relu_> {
 public:
  using ActivationWithInplace::ActivationWithInplace;
};

class SiLU : public ActivationWithInplace<silu, &Tensor::silu_> {
 public:
  using ActivationWithInplace::ActivationWithInplace;
};

// approximate = "none": the exact ½x(1 + erf(x/√2)), PyTorch's default; "tanh": ½x(1 + tanh(√(2/π)(x +
// 0.044715x³))). The fused GroupNorm epilogue Activation::gelu (the design document's API contract)
// is to follow the same default, the exact form.
struct GELUOptions {
  std::string approximate = "none";
};

class GELU : public Module {
 public:
  // ValueError naming an approximate other than "none" or "tanh".
  explicit GELU(GELUOptions opts = {}) : options(std::move(opts)) {
    lucid::detail::check_gelu_approximate(options.approximate);
  }
  Tensor forward(const Tensor& input) override { return gelu(input, options.approximate); }
  std::string extra_repr() const override { return "approximate='" + options.approximate + "'"; }
  GELUOptions options;
};

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& input) override { return sigmoid(input); }
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& input) override { return tanh(input); }
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input; }
};

}  // namespace lucid::nn
