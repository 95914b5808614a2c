// Sequential: runs its modules one after another; children are named "0", "1", ...
//
//   lucid::nn::Sequential net(Affine(4), Tanh(), Affine(4));   // modules by value or shared_ptr
//   lucid::Tensor y = net(x);
//
// A GroupNorm followed by an activation module (ReLU, SiLU, GELU, Sigmoid, Tanh) runs as one fused call
// (modules/epilogue_fusion.h says when a pair is not fused); fuse_activations = false runs every
// module on its own.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "modules/module.h"

namespace lucid::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  template <typename... Modules>
  explicit Sequential(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  void push_back(std::shared_ptr<Module> module);
  // Takes ownership of a module passed by value.
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) {
    push_back(std::shared_ptr<Module>(std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }

  std::size_t size() const { return modules_.size(); }
  // The i-th module; ValueError when out of range.
  const std::shared_ptr<Module>& operator[](std::size_t i) const;

  Tensor forward(const Tensor& input) override;

  bool fuse_activations = true;

 private:
  std::vector<std::shared_ptr<Module>> modules_;
  std::vector<bool> fusable_;  // fusable_[i]: modules i and i + 1 have types that may fuse (fusable_types)
};

}  // namespace lucid::nn
