// Activation layers: thin modules over the fused elementwise ops (autodiff/ops.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "autodiff/ops.h"
#include "modules/functional/format.h"
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

// softmax / log_softmax along dim (required, as LibTorch's SoftmaxOptions(dim)).
class Softmax : public Module {
 public:
  explicit Softmax(std::int64_t along) : dim(along) {}
  Tensor forward(const Tensor& input) override { return softmax(input, dim); }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim); }
  std::int64_t dim;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(std::int64_t along) : dim(along) {}
  Tensor forward(const Tensor& input) override { return log_softmax(input, dim); }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim); }
  std::int64_t dim;
};

// ln(1 + e^(βx))/β, x where βx > threshold. PyTorch's defaults are the integers 1 and 20, which its repr
// shows as such: integral values print without ".0" ("Softplus(beta=1, threshold=20)").
struct SoftplusOptions {
  double beta = 1.0;
  double threshold = 20.0;
};

class Softplus : public Module {
 public:
  explicit Softplus(SoftplusOptions opts = {}) : options(opts) {}
  Tensor forward(const Tensor& input) override { return softplus(input, options.beta, options.threshold); }
  std::string extra_repr() const override {
    const auto number = [](double v) {
      return std::trunc(v) == v && std::abs(v) < 1e15 ? std::to_string(static_cast<std::int64_t>(v)) : functional::python_float(v);
    };
    return "beta=" + number(options.beta) + ", threshold=" + number(options.threshold);
  }
  SoftplusOptions options;
};

struct LeakyReLUOptions {
  double negative_slope = 0.01;
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(LeakyReLUOptions opts = {}) : options(opts) {}
  Tensor forward(const Tensor& input) override { return leaky_relu(input, options.negative_slope); }
  std::string extra_repr() const override { return "negative_slope=" + functional::python_float(options.negative_slope); }
  LeakyReLUOptions options;
};

struct ELUOptions {
  double alpha = 1.0;
};

class ELU : public Module {
 public:
  explicit ELU(ELUOptions opts = {}) : options(opts) {}
  Tensor forward(const Tensor& input) override { return elu(input, options.alpha); }
  std::string extra_repr() const override { return "alpha=" + functional::python_float(options.alpha); }
  ELUOptions options;
};

struct HardtanhOptions {
  double min_val = -1.0;
  double max_val = 1.0;
};

// clamp(x, min_val, max_val) with the gradient passing only strictly inside. As PyTorch's module (not
// its functional form), ValueError unless max_val > min_val.
class Hardtanh : public Module {
 public:
  explicit Hardtanh(HardtanhOptions opts = {}) : options(opts) {
    if (!(options.max_val > options.min_val)) {
      throw ValueError("Hardtanh: max_val (" + functional::python_float(options.max_val) +
                       ") must be greater than min_val (" + functional::python_float(options.min_val) + ")");
    }
  }
  Tensor forward(const Tensor& input) override { return hardtanh(input, options.min_val, options.max_val); }
  std::string extra_repr() const override {
    return "min_val=" + functional::python_float(options.min_val) + ", max_val=" + functional::python_float(options.max_val);
  }
  HardtanhOptions options;
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input; }
};

}  // namespace lucid::nn
