// Module: the base class of layers and models. It keeps a registry of named parameters, buffers
// and submodules, from which it derives named_parameters() with dotted names, state dicts,
// train/eval switching, zero_grad and a printed tree in PyTorch's style.
//
//   class Affine : public lucid::nn::Module {
//    public:
//     explicit Affine(int64_t n) {
//       weight = register_parameter("weight", lucid::ones({n}));
//       bias = register_parameter("bias", lucid::zeros({n}));
//     }
//     lucid::Tensor forward(const lucid::Tensor& x) override { return x * weight + bias; }
//     lucid::nn::Parameter weight, bias;
//   };
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/profiler.h"
#include "framework/tensor.h"
#include "modules/module_hooks.h"
#include "modules/parameter.h"
#include "modules/state_dict.h"

namespace lucid::nn {

// What a non-strict load_state_dict skipped.
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;     // expected by the module, absent from the dict
  std::vector<std::string> unexpected_keys;  // in the dict, unknown to the module
};

class Module {
 public:
  Module() = default;
  virtual ~Module();  // in module.cc, so that a user's translation unit emits no copy
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;

  // One tensor in, one tensor out (what Sequential chains). Modules with other signatures (e.g.
  // losses taking input and target) add their own forward overloads; calling this one on a
  // module that does not override it throws RuntimeError naming the module.
  virtual Tensor forward(const Tensor& input);
  // forward(input), with this module's hooks around it when it has any (module_hooks.h), timed as a
  // span when an autograd::Profile is collecting on this thread (autodiff/profiler.h).
  Tensor operator()(const Tensor& input) {
    if (!input.defined()) throw_undefined_input();
    if (hooks_ || autograd::is_profiling()) return call_instrumented(input);
    return forward(input);
  }

  // ---- hooks (module_hooks.h; defined in module_hooks.cc) ----
  // Each returns the handle whose remove() detaches the hook.
  autograd::RemovableHandle register_forward_pre_hook(ForwardPreHook hook);
  autograd::RemovableHandle register_forward_hook(ForwardHook hook);
  autograd::RemovableHandle register_full_backward_hook(FullBackwardHook hook);
  // Whether any hook is registered (and not removed).
  bool has_hooks() const;

  // ---- registry ----
  // Names must be non-empty, contain no '.', and be unique within this module (ValueError).
  // An undefined tensor registers a slot that parameters() and state_dict() skip (affine=false).
  Parameter register_parameter(const std::string& name, const Tensor& tensor, bool requires_grad = true);
  // Registers this very Parameter, as PyTorch does: gradients reached through the caller's handle are
  // the ones parameters() sees (and a Parameter registered in two modules is tied).
  Parameter register_parameter(const std::string& name, const Parameter& parameter);
  Tensor register_buffer(const std::string& name, const Tensor& tensor);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  // Own parameters first, then each child's, named with dotted prefixes ("layer1.0.weight"). A tensor
  // reachable under several names (a shared submodule or parameter) is listed once, under its first.
  std::vector<std::pair<std::string, Parameter>> named_parameters(bool recurse = true) const;
  std::vector<Parameter> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  std::vector<std::shared_ptr<Module>> children() const;

  // ---- modes and gradients ----
  // Sets training mode on this module and every descendant.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Drops every parameter's gradient (PyTorch's set_to_none=True).
  void zero_grad();
  // Calls fn on every descendant, children before parents, then on this module.
  void apply(const std::function<void(Module&)>& fn);
  // Converts every parameter, every parameter's gradient and every floating buffer of this module and
  // its descendants to dtype, in place, and returns this module (model.to(lucid::float64)). The tensors
  // keep their identity, as after PyTorch's `param.data = param.data.to(dtype)`: a layer's members
  // (fc.weight), the registry and anything else holding the same Tensor see the converted values, with
  // requires_grad kept. Copies made earlier (detach(), state_dict()) keep the old dtype, and so does an
  // optimizer's state: convert the model before making its optimizer. Do not convert while a recorded
  // graph that reads the module's tensors still waits for backward. int64 buffers stay int64 (PyTorch
  // converts only floating tensors). ValueError for a non-floating dtype (PyTorch: "nn.Module.to only
  // accepts floating point or complex dtypes").
  Module& to(DType dtype);

  // ---- state ----
  // Parameters then buffers, dotted names, sharing storage with the module (detached). Unlike
  // named_parameters(), a shared tensor appears under each of its names, as in PyTorch.
  StateDict state_dict() const;
  // Copies the dict's values into the module's tensors. Every key's shape must match (ValueError
  // otherwise); with strict, missing and unexpected keys are errors too. On error the message lists
  // every offending key and the module is left unchanged.
  LoadStateDictResult load_state_dict(const StateDict& dict, bool strict = true);

  // ---- printing ----
  // The class name shown in the tree, e.g. "GroupNorm".
  virtual std::string name() const;
  // ValueError naming this module: its input is an undefined Tensor.
  [[noreturn]] void throw_undefined_input() const;
  // operator()'s slow path: the hooks, and the profiler's span.
  Tensor call_instrumented(const Tensor& input);
  // The configuration shown inside the parentheses, e.g. "8, 32, eps=1e-05, affine=True".
  virtual std::string extra_repr() const { return ""; }
  // The tree in PyTorch's layout.
  std::string repr() const;

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  ModuleHooks& hooks();  // creates hooks_ on first use
  void check_new_name(const std::string& name) const;
  template <typename Visit>
  void visit_named(const std::string& prefix, bool recurse, Visit&& visit) const;
  template <typename T>
  std::vector<std::pair<std::string, T>> named_tensors(std::vector<std::pair<std::string, T>> Module::*entries,
                                                       bool recurse, bool remove_duplicate) const;

  bool training_ = true;
  std::vector<std::pair<std::string, Parameter>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::shared_ptr<ModuleHooks> hooks_;  // null while no hook was ever registered
};

std::ostream& operator<<(std::ostream& os, const Module& module);

}  // namespace lucid::nn
