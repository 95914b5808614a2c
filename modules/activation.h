// Activation layers: thin modules over the fused elementwise ops (autodiff/ops.h).
#pragma once

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

class ReLU : public Module {
 public:
  explicit ReLU(ReLUOptions opts = {}) : options(opts) {}
  Tensor forward(const Tensor& input) override {
    if (!options.inplace) return relu(input);
    Tensor out = input;
    return out.relu_();
  }
  std::string extra_repr() const override { return options.inplace ? "inplace=True" : ""; }
  ReLUOptions options;
};

class SiLU : public Module {
 public:
  explicit SiLU(SiLUOptions opts = {}) : options(opts) {}
  Tensor forward(const Tensor& input) override {
    if (!options.inplace) return silu(input);
    Tensor out = input;
    return out.silu_();
  }
  std::string extra_repr() const override { return options.inplace ? "inplace=True" : ""; }
  SiLUOptions options;
};

// The tanh approximation (PyTorch's GELU(approximate="tanh")).
class GELU : public Module {
 public:
  Tensor forward(const Tensor& input) override { return gelu(input); }
  std::string extra_repr() const override { return "approximate='tanh'"; }
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
