#include "modules/module_list.h"

#include <string>

namespace lucid::nn {

void ModuleList::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

void ModuleList::extend(const std::vector<std::shared_ptr<Module>>& modules) {
  for (const std::shared_ptr<Module>& module : modules) push_back(module);
}

void ModuleList::extend(const ModuleList& other) {
  extend(std::vector<std::shared_ptr<Module>>(other.modules_));  // a copy: extending a list by itself is fine
}

const std::shared_ptr<Module>& ModuleList::operator[](std::size_t i) const {
  if (i >= modules_.size()) {
    throw ValueError(name() + " index " + std::to_string(i) + " is out of range for " +
                     std::to_string(modules_.size()) + " modules");
  }
  return modules_[i];
}

}  // namespace lucid::nn
