#include "modules/sequential.h"

#include "modules/epilogue_fusion.h"

namespace lucid::nn {

void Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  if (!modules_.empty()) fusable_.push_back(fusable_types(*modules_.back(), *module));
  modules_.push_back(std::move(module));
}

const std::shared_ptr<Module>& Sequential::operator[](std::size_t i) const {
  if (i >= modules_.size()) {
    throw ValueError("Sequential index " + std::to_string(i) + " is out of range for " +
                     std::to_string(modules_.size()) + " modules");
  }
  return modules_[i];
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (std::size_t i = 0; i < modules_.size(); ++i) {
    if (fuse_activations && i + 1 < modules_.size() && fusable_[i]) {
      if (std::optional<Tensor> fused = run_fused_pair(*modules_[i], *modules_[i + 1], x)) {
        x = *std::move(fused);
        ++i;
        continue;
      }
    }
    x = (*modules_[i])(x);  // operator(): runs the child's hooks
  }
  return x;
}

}  // namespace lucid::nn
