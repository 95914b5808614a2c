// Sequential: runs its modules one after another; children are named "0", "1", ... (a ModuleList
// with a forward: push_back, append, extend, size, operator[] and iteration come from ModuleList).
//
//   lucid::nn::Sequential net(Affine(4), Tanh(), Affine(4));   // modules by value or shared_ptr
//   lucid::Tensor y = net(x);
//
// A GroupNorm, LayerNorm, RMSNorm, BatchNorm or InstanceNorm followed by an activation module (ReLU,
// SiLU, GELU, Sigmoid, Tanh) runs as one fused call, and a GroupNorm, an activation and MaxPool2d(2)
// as one more (modules/epilogue_fusion.h says when they are not fused); fuse_activations = false runs
// every module on its own.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "modules/module_list.h"

namespace lucid::nn {

class Sequential : public ModuleList {
 public:
  Sequential() = default;
  template <typename... Modules>
  explicit Sequential(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  using ModuleList::push_back;
  // ModuleList::push_back, and whether the new module may fuse with the one before it.
  void push_back(std::shared_ptr<Module> module) override;

  Tensor forward(const Tensor& input) override;

  bool fuse_activations = true;

 private:
  std::vector<bool> fusable_;  // fusable_[i]: modules i and i + 1 have types that may fuse (fusable_types)
  std::vector<bool> pool_fusable_;  // pool_fusable_[i]: modules i, i + 1, i + 2 likewise (pool_fusable_types)
};

}  // namespace lucid::nn
