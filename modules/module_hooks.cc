#include "modules/module_hooks.h"

#include <string>
#include <utility>

#include "autodiff/grad_mode.h"
#include "modules/module.h"

namespace lucid::nn {
namespace {

using autograd::TensorList;

constexpr const char* kBackwardHookNode = "BackwardHookFunctionBackward";

// Erases the id from whichever list holds it (ids are unique across lists).
void remove_module_hook(void* owner, std::uint64_t id) {
  auto& hooks = *static_cast<ModuleHooks*>(owner);
  if (!hooks.forward_pre.erase(id) && !hooks.forward.erase(id)) hooks.backward.erase(id);
}

// What the two identity nodes of one hooked call share: the module, its hooks (weakly: a destroyed
// module's hooks are not run), and the gradient the output's node saw.
struct BackwardHookCall {
  Module* module = nullptr;
  std::weak_ptr<ModuleHooks> hooks;
  bool input_wrapped = false;
  TensorList grad_output{Tensor()};

  // Runs the full backward hooks; returns grad_input, as replaced by them.
  TensorList run(TensorList grad_input) const {
    const std::shared_ptr<ModuleHooks> live = hooks.lock();
    if (!live) return grad_input;
    for (const auto& [id, hook] : live->backward.snapshot()) {
      std::optional<TensorList> replaced = hook(*module, grad_input, grad_output);
      if (!replaced) continue;
      check_replacement(grad_input, *replaced);
      grad_input = std::move(*replaced);
    }
    return grad_input;
  }

  void check_replacement(const TensorList& grad_input, const TensorList& replaced) const {
    const std::string who = "a full backward hook of " + module->name();
    if (!input_wrapped) {
      for (const Tensor& t : replaced) {
        if (t.defined()) {
          throw RuntimeError(who + " returned a gradient, but the module's input does not require grad (grad_input "
                             "is {undefined}); a hook must return {} or undefined tensors then");
        }
      }
      return;
    }
    if (replaced.size() != grad_input.size()) {
      throw RuntimeError(who + " returned " + std::to_string(replaced.size()) + " tensors for grad_input, but the module has " +
                         std::to_string(grad_input.size()) + " input");
    }
    for (std::size_t i = 0; i < replaced.size(); ++i) {
      if (!replaced[i].defined() || !grad_input[i].defined()) continue;
      if (replaced[i].shape() != grad_input[i].shape() || replaced[i].dtype() != grad_input[i].dtype()) {
        throw RuntimeError(who + " returned grad_input[" + std::to_string(i) + "] of shape " + replaced[i].shape().str() +
                           " and dtype " + std::string(dtype_name(replaced[i].dtype())) + ", but the gradient has shape " +
                           grad_input[i].shape().str() + " and dtype " + std::string(dtype_name(grad_input[i].dtype())));
      }
    }
  }
};

// `t` again, as the output of an identity node with the given backward (t itself when nothing records).
template <typename Backward>
Tensor through_identity_node(const Tensor& t, Backward&& backward) {
  if (!t.requires_grad()) return t;
  Tensor alias = t.detach();  // same storage and version counter
  autograd::record(kBackwardHookNode, alias, {&t}, std::forward<Backward>(backward));
  return alias;
}

}  // namespace

Tensor call_with_hooks(Module& module, const std::shared_ptr<ModuleHooks>& hooks, const Tensor& input) {
  Tensor x = input;
  for (const auto& [id, hook] : hooks->forward_pre.snapshot()) {
    if (std::optional<Tensor> replaced = hook(module, x)) x = std::move(*replaced);
  }
  std::shared_ptr<BackwardHookCall> call;
  if (!hooks->backward.empty() && autograd::is_grad_enabled()) {
    call = std::make_shared<BackwardHookCall>();
    call->module = &module;
    call->hooks = hooks;
    call->input_wrapped = x.requires_grad();
    x = through_identity_node(x, [call](const Tensor& grad_input, autograd::Node&) { return call->run({grad_input}); });
  }
  Tensor out = module.forward(x);
  for (const auto& [id, hook] : hooks->forward.snapshot()) {
    if (std::optional<Tensor> replaced = hook(module, x, out)) out = std::move(*replaced);
  }
  if (call) {
    out = through_identity_node(out, [call](const Tensor& grad_output, autograd::Node&) {
      call->grad_output = {grad_output};
      if (!call->input_wrapped) call->run({Tensor()});  // no grad_input will come: run the hooks now
      return TensorList{grad_output};
    });
  }
  return out;
}

bool Module::has_hooks() const {
  return hooks_ && !(hooks_->forward_pre.empty() && hooks_->forward.empty() && hooks_->backward.empty());
}

ModuleHooks& Module::hooks() {
  if (!hooks_) hooks_ = std::make_shared<ModuleHooks>();
  return *hooks_;
}

autograd::RemovableHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  const std::uint64_t id = hooks().forward_pre.add(std::move(hook));
  return autograd::RemovableHandle(hooks_, remove_module_hook, id);
}

autograd::RemovableHandle Module::register_forward_hook(ForwardHook hook) {
  const std::uint64_t id = hooks().forward.add(std::move(hook));
  return autograd::RemovableHandle(hooks_, remove_module_hook, id);
}

autograd::RemovableHandle Module::register_full_backward_hook(FullBackwardHook hook) {
  const std::uint64_t id = hooks().backward.add(std::move(hook));
  return autograd::RemovableHandle(hooks_, remove_module_hook, id);
}

}  // namespace lucid::nn
