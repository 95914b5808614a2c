// ModuleDict: holds submodules by name, in insertion order (PyTorch's nn.ModuleDict); each is
// registered as the child of that name, so state_dict() keys read "<key>.weight" ("heads.cls.bias"
// inside a parent), and the printed tree lists "(key): ...". Like ModuleList it has no forward.
//
//   lucid::nn::ModuleDict heads({{"cls", std::make_shared<lucid::nn::Linear>(64, 10)}});
//   heads.insert("box", lucid::nn::Linear(64, 4));
//   lucid::Tensor boxes = (*heads["box"])(features);
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "modules/module.h"

namespace lucid::nn {

class ModuleDict : public Module {
 public:
  using Item = std::pair<std::string, std::shared_ptr<Module>>;
  using const_iterator = std::vector<Item>::const_iterator;

  ModuleDict() = default;
  explicit ModuleDict(const std::vector<Item>& items);

  // Adds the module under key. ValueError for a null module, a key that is empty or contains '.', or a
  // key already present (PyTorch's `d[key] = m` replaces the module instead).
  void insert(const std::string& key, std::shared_ptr<Module> module);
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void insert(const std::string& key, M&& module) {
    insert(key, std::shared_ptr<Module>(std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }

  // The module under key; ValueError naming the key when absent (PyTorch: KeyError).
  const std::shared_ptr<Module>& operator[](const std::string& key) const;
  bool contains(const std::string& key) const;
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  // The keys in insertion order.
  std::vector<std::string> keys() const;
  // (key, module) pairs in insertion order.
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

 private:
  std::vector<Item> items_;
};

}  // namespace lucid::nn
