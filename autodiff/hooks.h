// Post-accumulate-grad hooks: a callback on a leaf tensor that runs once per backward() when the
// leaf's .grad is final for that pass, i.e. after every gradient flowing into the leaf has been
// added (PyTorch's Tensor.register_post_accumulate_grad_hook). Distributed data parallelism uses it
// to start reducing a parameter's gradient while the rest of the backward pass still runs.
//
//   auto handle = lucid::autograd::register_post_accumulate_grad_hook(w, [](const lucid::Tensor& leaf) {
//     use(leaf.grad());                 // complete for this pass; runs on the thread calling backward()
//   });
//   lucid::autograd::remove_post_accumulate_grad_hook(w, handle);
//
// Hooks run in registration order, only from backward() (autograd::grad() accumulates nothing into
// .grad), and only for a leaf that received a gradient in that pass. An exception thrown by a hook
// ends the backward pass and propagates out of backward().
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "framework/tensor.h"

namespace lucid::autograd {

using PostAccumulateGradHook = std::function<void(const Tensor& leaf)>;

// A leaf's hooks, plus the engine's per-pass scratch space: how many of the pass's edges into the
// leaf are still to run, and whether one of them delivered a gradient.
struct LeafHooks {
  std::vector<std::pair<std::uint64_t, PostAccumulateGradHook>> hooks;  // (handle, hook)
  std::uint64_t visit_epoch = 0;
  int pending_edges = 0;
  bool received = false;
};

// Adds `hook` to a leaf that requires grad; returns the handle that removes it. ValueError for an
// undefined tensor, a non-leaf, or a leaf that does not require grad.
std::uint64_t register_post_accumulate_grad_hook(const Tensor& leaf, PostAccumulateGradHook hook);
// Removes the hook registered under `handle`; an unknown handle is ignored.
void remove_post_accumulate_grad_hook(const Tensor& leaf, std::uint64_t handle);

}  // namespace lucid::autograd
