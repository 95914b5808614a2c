// Activation layers: thin modules over the fused elementwise ops (autodiff/ops.h).
#pragma once

#include "autodiff/ops.h"
#include "modules/module.h"

namespace lucid::nn {

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) override { return relu(input); }
};

class SiLU : public Module {
 public:
  Tensor forward(const Tensor& input) override { return silu(input); }
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
