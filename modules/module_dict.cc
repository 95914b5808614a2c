#include "modules/module_dict.h"

#include <algorithm>

namespace lucid::nn {

ModuleDict::ModuleDict(const std::vector<Item>& items) {
  for (const auto& [key, module] : items) insert(key, module);
}

void ModuleDict::insert(const std::string& key, std::shared_ptr<Module> module) {
  register_module(key, module);  // checks the key and the module
  items_.emplace_back(key, std::move(module));
}

const std::shared_ptr<Module>& ModuleDict::operator[](const std::string& key) const {
  const auto it = std::ranges::find(items_, key, &Item::first);
  if (it == items_.end()) throw ValueError(name() + " has no key '" + key + "'");
  return it->second;
}

bool ModuleDict::contains(const std::string& key) const {
  return std::ranges::find(items_, key, &Item::first) != items_.end();
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& [key, module] : items_) out.push_back(key);
  return out;
}

}  // namespace lucid::nn
