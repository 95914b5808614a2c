// StateDict: named tensors in registration order (parameters and buffers, dotted names).
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "framework/tensor.h"

namespace lucid::nn {

class StateDict {
 public:
  using Item = std::pair<std::string, Tensor>;

  // Adds or replaces the entry `name`.
  void insert_or_assign(const std::string& name, const Tensor& value);
  // The tensor stored as `name`, or nullptr.
  const Tensor* find(const std::string& name) const;
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  // The tensor stored as `name`; ValueError naming the key when absent.
  const Tensor& at(const std::string& name) const;
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<Item> items_;
};

// Writes " <what>: a, b." when keys is not empty (nothing otherwise): the key lists of the
// load_state_dict errors of modules, optimizers and schedulers.
void append_key_list(std::ostream& msg, std::string_view what, const std::vector<std::string>& keys);

}  // namespace lucid::nn
