#include "autodiff/hooks.h"

#include <algorithm>
#include <atomic>

namespace lucid::autograd {
namespace {
std::atomic<std::uint64_t> next_handle{1};
}  // namespace

// Appends (new handle, hook) to the leaf's list, creating the list on first use.
std::uint64_t register_post_accumulate_grad_hook(const Tensor& leaf, PostAccumulateGradHook hook) {
  if (!leaf.defined()) throw ValueError("register_post_accumulate_grad_hook: the tensor is undefined");
  if (!leaf.is_leaf() || !leaf.requires_grad()) {
    throw ValueError(std::string("register_post_accumulate_grad_hook: needs a leaf tensor that requires grad, got ") +
                     (leaf.is_leaf() ? "a leaf with requires_grad=false" : "a non-leaf tensor"));
  }
  auto& hooks = leaf.impl()->hooks;
  if (!hooks) hooks = std::make_shared<LeafHooks>();
  const std::uint64_t handle = next_handle.fetch_add(1);
  hooks->hooks.emplace_back(handle, std::move(hook));
  return handle;
}

// Erases the entry with `handle`; drops the list once empty, so the engine skips the leaf again.
void remove_post_accumulate_grad_hook(const Tensor& leaf, std::uint64_t handle) {
  auto& hooks = leaf.impl()->hooks;
  if (!hooks) return;
  std::erase_if(hooks->hooks, [&](const auto& entry) { return entry.first == handle; });
  if (hooks->hooks.empty()) hooks.reset();
}

}  // namespace lucid::autograd
