// ModuleList: holds submodules in a list, registered as children "0", "1", ... (PyTorch's
// nn.ModuleList), so their parameters appear in parameters() and state_dict() ("0.weight",
// "blocks.1.bias" inside a parent) and in the printed tree. It has no forward: the owner decides how to
// call its modules.
//
//   lucid::nn::ModuleList blocks;
//   blocks.push_back(lucid::nn::Linear(4, 4));           // by value or shared_ptr; append() is the same
//   blocks.push_back(std::make_shared<lucid::nn::ReLU>());
//   for (const auto& block : blocks) x = (*block)(x);
//
// Sequential is a ModuleList whose forward runs the modules in order.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "modules/module.h"

namespace lucid::nn {

class ModuleList : public Module {
 public:
  using const_iterator = std::vector<std::shared_ptr<Module>>::const_iterator;

  ModuleList() = default;
  template <typename... Modules>
  explicit ModuleList(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  // Appends the module as child std::to_string(size()). ValueError for a null module or one that
  // contains this list.
  virtual void push_back(std::shared_ptr<Module> module);
  // Takes ownership of a module passed by value.
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) {
    push_back(std::shared_ptr<Module>(std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }
  // PyTorch's name for push_back.
  template <typename M>
  void append(M&& module) {
    push_back(std::forward<M>(module));
  }
  // Appends each module in order (shared, not copied: a module in two lists is the same module).
  void extend(const std::vector<std::shared_ptr<Module>>& modules);
  void extend(const ModuleList& other);

  std::size_t size() const { return modules_.size(); }
  bool empty() const { return modules_.empty(); }
  // The i-th module; ValueError when out of range.
  const std::shared_ptr<Module>& operator[](std::size_t i) const;
  const_iterator begin() const { return modules_.begin(); }
  const_iterator end() const { return modules_.end(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace lucid::nn
