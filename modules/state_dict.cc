#include "modules/state_dict.h"

namespace lucid::nn {

void StateDict::insert_or_assign(const std::string& name, const Tensor& value) {
  for (Item& item : items_) {
    if (item.first == name) {
      item.second = value;
      return;
    }
  }
  items_.emplace_back(name, value);
}

const Tensor* StateDict::find(const std::string& name) const {
  for (const Item& item : items_) {
    if (item.first == name) return &item.second;
  }
  return nullptr;
}

const Tensor& StateDict::at(const std::string& name) const {
  if (const Tensor* t = find(name)) return *t;
  throw ValueError("state dict has no entry '" + name + "'");
}

void append_key_list(std::ostream& msg, std::string_view what, const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  msg << ' ' << what << ':';
  for (std::size_t i = 0; i < keys.size(); ++i) msg << (i ? ", " : " ") << keys[i];
  msg << '.';
}

}  // namespace lucid::nn
