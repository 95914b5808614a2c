#include "modules/epilogue_fusion.h"

#include <typeinfo>

#include "modules/activation.h"
#include "modules/group_norm.h"

namespace lucid::nn {
namespace {

// The epilogue that computes what `module` computes, when it is one of lucid's activation modules.
std::optional<Activation> as_epilogue(const Module& module) {
  const std::type_info& type = typeid(module);
  if (type == typeid(ReLU)) return Activation::relu;
  if (type == typeid(SiLU)) return Activation::silu;
  if (type == typeid(Sigmoid)) return Activation::sigmoid;
  if (type == typeid(Tanh)) return Activation::tanh;
  if (type == typeid(GELU) && static_cast<const GELU&>(module).options.approximate == "none") return Activation::gelu;
  return std::nullopt;
}

}  // namespace

bool fusable_types(const Module& first, const Module& second) {
  return typeid(first) == typeid(GroupNorm) && as_epilogue(second).has_value();
}

std::optional<Tensor> run_fused_pair(Module& first, Module& second, const Tensor& input) {
  if (typeid(first) != typeid(GroupNorm) || first.has_hooks() || second.has_hooks() || !input.defined()) {
    return std::nullopt;
  }
  auto& norm = static_cast<GroupNorm&>(first);
  const std::optional<Activation> activation = as_epilogue(second);
  if (!activation || norm.options.activation != Activation::none) return std::nullopt;
  return norm.forward(input, *activation);
}

}  // namespace lucid::nn
