// Small modules shared by the tests in tests/modules: they exercise the registry the way a user's
// layers would (parameters, a buffer, an activation, nested submodules).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>

#include "lucid.h"

namespace lucid_test {

// y = x * weight + bias, elementwise over the last dimension; weight ones(n), bias zeros(n).
class Affine : public lucid::nn::Module {
 public:
  explicit Affine(std::int64_t n) : n_(n) {
    weight = register_parameter("weight", lucid::ones({n}));
    bias = register_parameter("bias", lucid::zeros({n}));
  }
  lucid::Tensor forward(const lucid::Tensor& x) override { return x * weight + bias; }
  std::string extra_repr() const override { return "n=" + std::to_string(n_); }

  lucid::nn::Parameter weight, bias;

 private:
  std::int64_t n_;
};

// y = x * factor, with factor a buffer full(n, value): state, but not learned.
class Scale : public lucid::nn::Module {
 public:
  Scale(std::int64_t n, double value) { factor = register_buffer("factor", lucid::full({n}, value)); }
  lucid::Tensor forward(const lucid::Tensor& x) override { return x * factor; }

  lucid::Tensor factor;
};

class Tanh : public lucid::nn::Module {
 public:
  lucid::Tensor forward(const lucid::Tensor& x) override { return x.tanh(); }
};

// scale(tanh(affine(x))) with submodules "affine", "act", "scale" and extra_repr "n=<n>".
class Block : public lucid::nn::Module {
 public:
  explicit Block(std::int64_t n) : n_(n) {
    affine = register_module("affine", std::make_shared<Affine>(n));
    act = register_module("act", std::make_shared<Tanh>());
    scale = register_module("scale", std::make_shared<Scale>(n, 2.0));
  }
  lucid::Tensor forward(const lucid::Tensor& x) override { return (*scale)((*act)((*affine)(x))); }
  std::string extra_repr() const override { return "n=" + std::to_string(n_); }

  std::shared_ptr<Affine> affine;
  std::shared_ptr<Tanh> act;
  std::shared_ptr<Scale> scale;

 private:
  std::int64_t n_;
};

// A Sequential inside a module, registered before the module's own parameter "gain".
class Net : public lucid::nn::Module {
 public:
  explicit Net(std::int64_t n) {
    layer1 = register_module("layer1", std::make_shared<lucid::nn::Sequential>(Affine(n), Tanh(), Affine(n)));
    gain = register_parameter("gain", lucid::ones({n}));
    head = register_module("head", std::make_shared<Block>(n));
  }
  lucid::Tensor forward(const lucid::Tensor& x) override { return (*head)((*layer1)(x) * gain); }

  std::shared_ptr<lucid::nn::Sequential> layer1;
  lucid::nn::Parameter gain;
  std::shared_ptr<Block> head;
};

// Base of the parameters of parameterised tests: the label names the test instance (ParamLabel)
// and is what GoogleTest prints for the parameter (PrintTo).
struct Labeled {
  const char* label;
};

template <typename Case>
requires std::is_base_of_v<Labeled, Case>
void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

struct ParamLabel {
  template <typename Info>
  std::string operator()(const Info& info) const {
    return info.param.label;
  }
};

// Registers nothing and does not override forward.
class NoForward : public lucid::nn::Module {};

}  // namespace lucid_test
