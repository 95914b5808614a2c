#include "autodiff/hooks.h"

#include <string>
#include <utility>

#include "autodiff/node.h"

namespace lucid::autograd {
namespace {

// Removers (RemovableHandle::Remover): erase the id from the owner's lists and drop the owner's hook
// storage once empty, so that the engine skips the tensor again. A leaf's storage is kept while it
// holds a gradient of the running pass for its tensor hooks (the pass still delivers it).
void remove_leaf_hook(void* owner, std::uint64_t id) {
  auto& hooks = static_cast<TensorImpl*>(owner)->hooks;
  if (!hooks) return;
  if (!hooks->grad_hooks.erase(id)) hooks->post_accumulate.erase(id);
  if (hooks->grad_hooks.empty() && hooks->post_accumulate.empty() && !hooks->pending_grad.defined()) hooks.reset();
}

void remove_node_hook(void* owner, std::uint64_t id) {
  Node& node = *static_cast<Node*>(owner);
  if (!node.extras || !node.extras->grad_hooks) return;
  auto& hooks = node.extras->grad_hooks;
  hooks->erase(id);
  if (hooks->empty()) hooks.reset();  // run_tensor_hooks works on a copy: safe while it runs
}

LeafHooks& leaf_hooks(const Tensor& leaf) {
  auto& hooks = leaf.impl()->hooks;
  if (!hooks) hooks = std::make_shared<LeafHooks>();
  return *hooks;
}

}  // namespace

Tensor run_tensor_hooks(const HookList<TensorHook>& hooks, Tensor grad, const std::string& tensor_kind) {
  for (const auto& [id, hook] : hooks.snapshot()) {  // `hooks` may be destroyed by a hook's remove()
    std::optional<Tensor> replaced = hook(grad);
    if (!replaced) continue;
    if (!replaced->defined() || replaced->shape() != grad.shape() || replaced->dtype() != grad.dtype()) {
      const std::string got = replaced->defined() ? "shape " + replaced->shape().str() + " and dtype " +
                                                        std::string(dtype_name(replaced->dtype()))
                                                  : "an undefined tensor";
      throw RuntimeError("a hook registered with register_hook on " + tensor_kind + " returned " + got +
                         ", but the gradient has shape " + grad.shape().str() + " and dtype " +
                         std::string(dtype_name(grad.dtype())) + "; return a gradient of the same shape and dtype, or {} to keep it");
    }
    grad = std::move(*replaced);
  }
  return grad;
}

RemovableHandle register_post_accumulate_grad_hook(const Tensor& leaf, PostAccumulateGradHook hook) {
  if (!leaf.defined()) throw ValueError("register_post_accumulate_grad_hook: the tensor is undefined");
  if (!leaf.is_leaf() || !leaf.requires_grad()) {
    throw ValueError(std::string("register_post_accumulate_grad_hook: needs a leaf tensor that requires grad, got ") +
                     (leaf.is_leaf() ? "a leaf with requires_grad=false" : "a non-leaf tensor"));
  }
  const std::uint64_t id = leaf_hooks(leaf).post_accumulate.add(std::move(hook));
  return RemovableHandle(leaf.impl(), remove_leaf_hook, id);
}

void remove_post_accumulate_grad_hook(const Tensor& /*leaf*/, RemovableHandle handle) { handle.remove(); }

}  // namespace lucid::autograd

namespace lucid {

// A leaf's hook lives in TensorImpl::hooks, a non-leaf's in its grad_fn node.
autograd::RemovableHandle Tensor::register_hook(std::function<std::optional<Tensor>(const Tensor& grad)> hook) const {
  const TensorImpl& self = checked();
  autograd::refresh_if_stale_view(*this);  // a view whose base was written in place: its current node
  if (!self.requires_grad) {
    throw RuntimeError("register_hook: cannot register a hook on a tensor that doesn't require gradient (shape " +
                       self.shape.str() + "); call requires_grad_() on a leaf first");
  }
  if (const std::shared_ptr<autograd::Node>& node = self.grad_fn) {
    auto& hooks = node->extra().grad_hooks;
    if (!hooks) hooks = std::make_unique<autograd::HookList<autograd::TensorHook>>();
    const std::uint64_t id = hooks->add(std::move(hook));
    return autograd::RemovableHandle(node, autograd::remove_node_hook, id);
  }
  const std::uint64_t id = autograd::leaf_hooks(*this).grad_hooks.add(std::move(hook));
  return autograd::RemovableHandle(impl_, autograd::remove_leaf_hook, id);
}

}  // namespace lucid
