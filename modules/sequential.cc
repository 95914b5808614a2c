#include "modules/sequential.h"

#include "modules/epilogue_fusion.h"

namespace lucid::nn {

void Sequential::push_back(std::shared_ptr<Module> module) {
  ModuleList::push_back(module);
  if (size() > 1) fusable_.push_back(fusable_types(*(*this)[size() - 2], *module));
  if (size() > 2) pool_fusable_.push_back(pool_fusable_types(*(*this)[size() - 3], *(*this)[size() - 2], *module));
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  const std::size_t n = size();
  const const_iterator modules = begin();
  for (std::size_t i = 0; i < n; ++i) {
    Module& module = *modules[static_cast<std::ptrdiff_t>(i)];
    if (fuse_activations && i + 2 < n && pool_fusable_[i]) {
      if (std::optional<Tensor> fused = run_fused_triple(module, *modules[static_cast<std::ptrdiff_t>(i + 1)],
                                                         *modules[static_cast<std::ptrdiff_t>(i + 2)], x)) {
        x = *std::move(fused);
        i += 2;
        continue;
      }
    }
    if (fuse_activations && i + 1 < n && fusable_[i]) {
      if (std::optional<Tensor> fused = run_fused_pair(module, *modules[static_cast<std::ptrdiff_t>(i + 1)], x)) {
        x = *std::move(fused);
        ++i;
        continue;
      }
    }
    x = module(x);  // operator(): runs the child's hooks
  }
  return x;
}

}  // namespace lucid::nn
