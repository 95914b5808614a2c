// The activations a normalisation layer can apply as a fused epilogue (GroupNormOptions::activation,
// functional::group_norm's last argument): act(normalised value) computed in the same kernel, in the
// forward and the backward. Each is the formula of lucid's elementwise op of that name; gelu is the
// exact ½x(1 + erf(x/√2)), the default of lucid's GELU module and PyTorch's.
#pragma once

#include <string_view>

namespace lucid::nn {

enum class Activation { none, relu, silu, gelu, sigmoid, tanh };

// PyTorch's class name of the activation ("ReLU", "SiLU", "GELU", "Sigmoid", "Tanh"); "" for none.
constexpr std::string_view activation_name(Activation activation) {
  switch (activation) {
    case Activation::relu: return "ReLU";
    case Activation::silu: return "SiLU";
    case Activation::gelu: return "GELU";
    case Activation::sigmoid: return "Sigmoid";
    case Activation::tanh: return "Tanh";
    case Activation::none: break;
  }
  return "";
}

}  // namespace lucid::nn
