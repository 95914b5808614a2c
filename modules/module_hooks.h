// Module hooks (PyTorch's nn.Module hooks; LibTorch's C++ frontend has none). Module::operator()
// runs them around forward() when the module has any; without hooks it is a plain forward() call
// behind one null-pointer test.
//
//   auto h1 = m.register_forward_pre_hook([](Module&, const Tensor& in) -> std::optional<Tensor> { ... });
//   auto h2 = m.register_forward_hook([](Module&, const Tensor& in, const Tensor& out) -> std::optional<Tensor> { ... });
//   auto h3 = m.register_full_backward_hook(
//       [](Module&, const TensorList& grad_input, const TensorList& grad_output) -> std::optional<TensorList> { ... });
//   h1.remove();   // each returns an autograd::RemovableHandle (autodiff/hook_handle.h)
//
// Order of one call m(x): the forward pre-hooks (a returned tensor replaces the input), forward(), the
// forward hooks (they see the input forward() got; a returned tensor replaces the output).
//
// Full backward hooks, PyTorch's way: when the module has any and grad mode is on, the input (if it
// requires grad) and the output are passed through identity nodes named
// "BackwardHookFunctionBackward". In the backward pass the output's node runs first and keeps the
// gradient w.r.t. the output (grad_output); the input's node, reached once the gradient w.r.t. the input
// is complete (grad_input), calls the hooks, each of which may return a replacement grad_input (one
// tensor per input, same shapes; an undefined tensor stops that gradient). If the input does not
// require grad, the hooks run from the output's node with grad_input = {undefined} and must return
// {}. Hooks are looked up when the backward runs, so removing one before backward() disables it for
// graphs already built. The module must stay alive and in place (not moved) until then. Only the
// one-tensor operator() runs hooks: forward() called directly, and losses' two-argument calls, do not.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "autodiff/hook_handle.h"
#include "autodiff/node.h"
#include "framework/tensor.h"

namespace lucid::nn {

class Module;

using ForwardPreHook = std::function<std::optional<Tensor>(Module& module, const Tensor& input)>;
using ForwardHook = std::function<std::optional<Tensor>(Module& module, const Tensor& input, const Tensor& output)>;
using FullBackwardHook = std::function<std::optional<autograd::TensorList>(
    Module& module, const autograd::TensorList& grad_input, const autograd::TensorList& grad_output)>;

// A module's hooks (Module::hooks_, null until the first register_*). Removing the last hook leaves it
// empty rather than null: the module then takes the hooked path with nothing to run.
struct ModuleHooks {
  autograd::HookList<ForwardPreHook> forward_pre;
  autograd::HookList<ForwardHook> forward;
  autograd::HookList<FullBackwardHook> backward;
};

// Module::operator() with hooks: the order described above.
Tensor call_with_hooks(Module& module, const std::shared_ptr<ModuleHooks>& hooks, const Tensor& input);

}  // namespace lucid::nn
