// Tensor hooks: callbacks the backward pass runs on one tensor's gradient.
//
//   auto h = y.register_hook([](const lucid::Tensor& grad) -> std::optional<lucid::Tensor> {
//     return grad * 2.0;                // replaces the gradient flowing into y; return {} to keep it
//   });
//   h.remove();
//
// Tensor::register_hook (PyTorch's Tensor.register_hook) works on leaves and non-leaves that require
// grad. On a non-leaf the hook belongs to its grad_fn node: it runs on the node's summed incoming
// gradient before retain_grad() copies it and before the node's backward (a later in-place op gives the
// tensor a new node; hooks registered before it keep seeing the gradient of the old value, as in
// PyTorch). On a leaf it runs once per pass on the sum of the gradients reaching the leaf, before that
// sum is added to .grad (or returned by autograd::grad()). Hooks run in registration order, each on the
// previous one's result; a returned tensor must have the gradient's shape and dtype (RuntimeError).
//
// Post-accumulate-grad hooks: a callback on a leaf tensor that runs once per backward() when the
// leaf's .grad is final for that pass, i.e. after every gradient flowing into the leaf has been added
// (PyTorch's Tensor.register_post_accumulate_grad_hook). Distributed data parallelism uses it to start
// reducing a parameter's gradient while the rest of the backward pass still runs. They run only from
// backward() (autograd::grad() accumulates nothing into .grad), and only for a leaf that received a
// gradient in that pass.
//
//   auto handle = lucid::autograd::register_post_accumulate_grad_hook(w, [](const lucid::Tensor& leaf) {
//     use(leaf.grad());                 // complete for this pass; runs on the thread calling backward()
//   });
//   handle.remove();
//
// Every register function returns a RemovableHandle (hook_handle.h). An exception thrown by a hook ends
// the backward pass and propagates out of backward().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "autodiff/hook_handle.h"
#include "framework/tensor.h"

namespace lucid::autograd {

using TensorHook = std::function<std::optional<Tensor>(const Tensor& grad)>;
using PostAccumulateGradHook = std::function<void(const Tensor& leaf)>;

// A leaf's hooks (TensorImpl::hooks, null while it has none), plus the engine's per-pass scratch
// space: how many of the pass's edges into the leaf are still to run, whether one of them delivered
// a gradient, and, while the leaf has tensor hooks, the gradients summed so far.
struct LeafHooks {
  HookList<TensorHook> grad_hooks;
  HookList<PostAccumulateGradHook> post_accumulate;
  std::uint64_t visit_epoch = 0;
  int pending_edges = 0;
  bool received = false;
  Tensor pending_grad;
};

// Runs `hooks` on `grad` in order and returns the final gradient. RuntimeError, naming `tensor_kind`
// ("a leaf", "the output of MulBackward"), when a hook returns a tensor of another shape or dtype.
Tensor run_tensor_hooks(const HookList<TensorHook>& hooks, Tensor grad, const std::string& tensor_kind);

// Adds `hook` to a leaf that requires grad. ValueError for an undefined tensor, a non-leaf, or a leaf
// that does not require grad.
RemovableHandle register_post_accumulate_grad_hook(const Tensor& leaf, PostAccumulateGradHook hook);
// The same as handle.remove() (kept for callers of the earlier API); `leaf` is not needed.
void remove_post_accumulate_grad_hook(const Tensor& leaf, RemovableHandle handle);

}  // namespace lucid::autograd
