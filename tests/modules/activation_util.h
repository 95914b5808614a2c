// The fused activation epilogues (nn::Activation) as the norm tests need them: the activation module a
// Sequential fuses, the standalone op (the unfused reference), and the enumerator a golden file names.
#pragma once

#include <cctype>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "lucid.h"

namespace lucid::test {

// Every epilogue, the identity first.
inline constexpr nn::Activation kEveryActivation[] = {nn::Activation::none, nn::Activation::relu,
                                                      nn::Activation::silu, nn::Activation::gelu,
                                                      nn::Activation::sigmoid, nn::Activation::tanh};

// A parametrised test's name for its activation: PyTorch's class name, "None" for none.
inline std::string activation_param_name(const ::testing::TestParamInfo<nn::Activation>& info) {
  const std::string name(nn::activation_name(info.param));
  return name.empty() ? "None" : name;
}

// The activation module of each epilogue (Identity for none).
inline std::shared_ptr<nn::Module> activation_module(nn::Activation activation) {
  switch (activation) {
    case nn::Activation::relu: return std::make_shared<nn::ReLU>();
    case nn::Activation::silu: return std::make_shared<nn::SiLU>();
    case nn::Activation::gelu: return std::make_shared<nn::GELU>();
    case nn::Activation::sigmoid: return std::make_shared<nn::Sigmoid>();
    case nn::Activation::tanh: return std::make_shared<nn::Tanh>();
    case nn::Activation::none: break;
  }
  return std::make_shared<nn::Identity>();
}

// The activation as lucid's standalone elementwise op on z (z itself for none).
inline Tensor apply_activation(nn::Activation activation, const Tensor& z) {
  switch (activation) {
    case nn::Activation::relu: return relu(z);
    case nn::Activation::silu: return silu(z);
    case nn::Activation::gelu: return gelu(z);
    case nn::Activation::sigmoid: return sigmoid(z);
    case nn::Activation::tanh: return tanh(z);
    case nn::Activation::none: break;
  }
  return z;
}

// The enumerator whose PyTorch class name, lower-cased, is `name` ("silu"); none for anything else.
inline nn::Activation activation_named(const std::string& name) {
  for (nn::Activation a : {nn::Activation::relu, nn::Activation::silu, nn::Activation::gelu, nn::Activation::sigmoid,
                           nn::Activation::tanh}) {
    std::string lower(nn::activation_name(a));
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == name) return a;
  }
  return nn::Activation::none;
}

}  // namespace lucid::test
