#include "modules/epilogue_fusion.h"

#include <typeinfo>

#include "autodiff/profiler.h"
#include "modules/activation.h"
#include "modules/functional/group_norm.h"
#include "modules/batch_norm.h"
#include "modules/group_norm.h"
#include "modules/instance_norm.h"
#include "modules/layer_norm.h"
#include "modules/pooling.h"
#include "modules/rms_norm.h"

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

// The module's activation option and its forward with an activation, when it is a fusable norm.
template <class Norm>
std::optional<Tensor> run_norm(Module& first, Activation activation, const Tensor& input) {
  auto& norm = static_cast<Norm&>(first);
  if (norm.options.activation != Activation::none) return std::nullopt;
  return norm.forward(input, activation);
}

bool is_batch_norm(const Module& module) {
  return typeid(module) == typeid(BatchNorm1d) || typeid(module) == typeid(BatchNorm2d);
}

bool is_instance_norm(const Module& module) {
  const std::type_info& type = typeid(module);
  return type == typeid(InstanceNorm1d) || type == typeid(InstanceNorm2d) || type == typeid(InstanceNorm3d);
}

bool is_fusable_norm(const Module& module) {
  const std::type_info& type = typeid(module);
  return type == typeid(GroupNorm) || type == typeid(LayerNorm) || type == typeid(RMSNorm) || is_batch_norm(module) ||
         is_instance_norm(module);
}

}  // namespace

bool fusable_types(const Module& first, const Module& second) {
  return is_fusable_norm(first) && as_epilogue(second).has_value();
}

bool pool_fusable_types(const Module& first, const Module& second, const Module& third) {
  if (typeid(first) != typeid(GroupNorm) || !fusable_types(first, second) || typeid(third) != typeid(MaxPool2d)) {
    return false;
  }
  const auto& pool = static_cast<const MaxPool2d&>(third);
  return pool.kernel_size == Size2(2, 2) && pool.options.stride.value_or(pool.kernel_size) == Size2(2, 2) &&
         pool.options.padding == Size2(0, 0);
}

std::optional<Tensor> run_fused_triple(Module& first, Module& second, Module& third, const Tensor& input) {
  if (!pool_fusable_types(first, second, third) || first.has_hooks() || second.has_hooks() || third.has_hooks() ||
      !input.defined()) {
    return std::nullopt;
  }
  auto& norm = static_cast<GroupNorm&>(first);
  const bool pool_accepts = input.dim() == 4 && input.size(1) == norm.num_channels() && input.size(2) >= 2 &&
                            input.size(3) >= 2 && (input.dtype() == float32 || input.dtype() == float64);
  if (norm.options.activation != Activation::none || !pool_accepts) return std::nullopt;
  const autograd::ProfileScope span(
      "forward", autograd::is_profiling() ? first.name() + "+" + second.name() + "+" + third.name() : std::string());
  return functional::detail::group_norm_max_pool2d(input, norm.num_groups(), norm.weight, norm.bias, norm.options.eps,
                                                   *as_epilogue(second));
}

std::optional<Tensor> run_fused_pair(Module& first, Module& second, const Tensor& input) {
  if (!is_fusable_norm(first) || first.has_hooks() || second.has_hooks() || !input.defined()) return std::nullopt;
  const std::optional<Activation> activation = as_epilogue(second);
  if (!activation) return std::nullopt;
  const autograd::ProfileScope span("forward",
                                    autograd::is_profiling() ? first.name() + "+" + second.name() : std::string());
  if (typeid(first) == typeid(LayerNorm)) return run_norm<LayerNorm>(first, *activation, input);
  if (typeid(first) == typeid(RMSNorm)) return run_norm<RMSNorm>(first, *activation, input);
  if (is_batch_norm(first)) return run_norm<BatchNorm>(first, *activation, input);
  if (is_instance_norm(first)) return run_norm<InstanceNorm>(first, *activation, input);
  return run_norm<GroupNorm>(first, *activation, input);
}

}  // namespace lucid::nn
