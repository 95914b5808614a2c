#include "modules/module.h"

#include <cctype>
#include <sstream>
#include <unordered_set>

#include <boost/core/demangle.hpp>

#include "autodiff/grad_mode.h"

namespace lucid::nn {

Module::~Module() = default;

Tensor Module::forward(const Tensor&) {
  throw RuntimeError("Module " + name() + " does not define forward(const Tensor&)");
}

void Module::throw_undefined_input() const {
  throw ValueError(name() + ": forward on an undefined Tensor (default-constructed or moved-from)");
}

void Module::check_new_name(const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos) {
    throw ValueError("module attribute name '" + name + "' must be non-empty and contain no '.'");
  }
  auto taken = [&](const auto& entries) {
    for (const auto& entry : entries) {
      if (entry.first == name) return true;
    }
    return false;
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_)) {
    throw ValueError("module " + this->name() + " already has an attribute named '" + name + "'");
  }
}

Parameter Module::register_parameter(const std::string& name, const Tensor& tensor, bool requires_grad) {
  check_new_name(name);
  Parameter parameter(tensor, requires_grad);
  parameters_.emplace_back(name, parameter);
  return parameter;
}

Parameter Module::register_parameter(const std::string& name, const Parameter& parameter) {
  check_new_name(name);
  parameters_.emplace_back(name, parameter);
  return parameter;
}

Tensor Module::register_buffer(const std::string& name, const Tensor& tensor) {
  check_new_name(name);
  buffers_.emplace_back(name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  if (!module) throw ValueError("register_module('" + name + "'): module is null");
  check_new_name(name);
  // A module inside its own subtree would make every recursive walk (parameters, repr, train) endless.
  std::vector<const Module*> pending{module.get()};
  while (!pending.empty()) {
    const Module* m = pending.back();
    pending.pop_back();
    if (m == this) {
      throw ValueError("register_module('" + name + "'): " + module->name() + " contains " + this->name() +
                       ", so registering it would make the module its own descendant");
    }
    for (const auto& [child_name, child] : m->children_) pending.push_back(child.get());
  }
  children_.emplace_back(name, std::move(module));
}

// Calls visit(dotted_name, module) for this module and, with recurse, every descendant (preorder).
template <typename Visit>
void Module::visit_named(const std::string& prefix, bool recurse, Visit&& visit) const {
  visit(prefix, *this);
  if (!recurse) return;
  for (const auto& [child_name, child] : children_) {
    child->visit_named(prefix + child_name + ".", true, visit);
  }
}

// The defined tensors of every visited module's `entries` under dotted names; with remove_duplicate,
// a tensor seen before (shared submodule or parameter) is skipped.
template <typename T>
std::vector<std::pair<std::string, T>> Module::named_tensors(std::vector<std::pair<std::string, T>> Module::*entries,
                                                             bool recurse, bool remove_duplicate) const {
  std::vector<std::pair<std::string, T>> out;
  std::unordered_set<const TensorImpl*> seen;
  visit_named("", recurse, [&](const std::string& prefix, const Module& m) {
    for (const auto& [name, t] : m.*entries) {
      if (!t.defined() || (remove_duplicate && !seen.insert(t.impl().get()).second)) continue;
      out.emplace_back(prefix + name, t);
    }
  });
  return out;
}

std::vector<std::pair<std::string, Parameter>> Module::named_parameters(bool recurse) const {
  return named_tensors(&Module::parameters_, recurse, true);
}

std::vector<Parameter> Module::parameters(bool recurse) const {
  std::vector<Parameter> out;
  for (auto& [name, p] : named_parameters(recurse)) out.push_back(p);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  return named_tensors(&Module::buffers_, recurse, true);
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, b] : named_buffers(recurse)) out.push_back(b);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const { return children_; }

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& [name, child] : children_) out.push_back(child);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (auto& [name, p] : named_parameters()) p.set_grad(Tensor());
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& [name, child] : children_) child->apply(fn);
  fn(*this);
}

namespace {

// Rebinds t's data to a dtype copy of itself, on the shared TensorImpl, so every handle to t sees the
// converted values; then its gradient likewise. Non-floating tensors stay as they are.
void convert_tensor_in_place(const Tensor& t, DType dtype) {
  if (!is_floating_point(t.dtype())) return;
  if (t.dtype() != dtype) {
    const Tensor converted = t.detach().to(dtype);
    TensorImpl& impl = *t.impl();
    impl.storage = converted.impl()->storage;
    impl.offset = converted.impl()->offset;
    impl.strides = converted.impl()->strides;
    impl.dtype = dtype;
  }
  if (t.impl()->grad) convert_tensor_in_place(Tensor(t.impl()->grad), dtype);
}

}  // namespace

Module& Module::to(DType dtype) {
  if (!is_floating_point(dtype)) {
    throw ValueError(name() + ".to(" + std::string(dtype_name(dtype)) +
                     "): a module converts only to a floating dtype (float32 or float64)");
  }
  autograd::no_grad guard;
  for (const auto& [name, p] : named_parameters()) convert_tensor_in_place(p, dtype);
  for (const auto& [name, b] : named_buffers()) convert_tensor_in_place(b, dtype);
  return *this;
}

StateDict Module::state_dict() const {
  StateDict dict;
  for (const auto& [name, p] : named_tensors(&Module::parameters_, true, false)) {
    dict.insert_or_assign(name, p.detach());
  }
  for (const auto& [name, b] : named_tensors(&Module::buffers_, true, false)) {
    dict.insert_or_assign(name, b.detach());
  }
  return dict;
}

LoadStateDictResult Module::load_state_dict(const StateDict& dict, bool strict) {
  StateDict own = state_dict();
  LoadStateDictResult result;
  std::vector<std::string> mismatched;
  for (const auto& [name, target] : own) {
    const Tensor* source = dict.find(name);
    if (!source) {
      result.missing_keys.push_back(name);
    } else if (!source->defined() || source->shape() != target.shape()) {
      mismatched.push_back(name + ": expected shape " + target.shape().str() + ", got " +
                           (source->defined() ? source->shape().str() : std::string("an undefined tensor")));
    }
  }
  for (const auto& [name, value] : dict) {
    if (!own.contains(name)) result.unexpected_keys.push_back(name);
  }
  const bool key_errors = strict && (!result.missing_keys.empty() || !result.unexpected_keys.empty());
  if (key_errors || !mismatched.empty()) {
    std::ostringstream msg;
    msg << "load_state_dict failed for " << name() << "; the module is unchanged.";
    if (strict) {
      append_key_list(msg, "Missing keys", result.missing_keys);
      append_key_list(msg, "Unexpected keys", result.unexpected_keys);
    }
    append_key_list(msg, "Shape mismatches", mismatched);
    throw ValueError(msg.str());
  }
  autograd::no_grad guard;
  for (const auto& [name, target] : own) {
    if (const Tensor* source = dict.find(name)) Tensor(target).copy_(*source);
  }
  return result;
}

Tensor Module::call_instrumented(const Tensor& input) {
  const autograd::ProfileScope span("forward", autograd::is_profiling() ? name() : std::string());
  return hooks_ ? call_with_hooks(*this, hooks_, input) : forward(input);
}

std::string Module::name() const {
  // Drops every qualifier, template arguments' too: "a::W<a::(anonymous namespace)::B>" -> "W<B>".
  const std::string full = boost::core::demangle(typeid(*this).name());
  auto in_identifier = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  for (std::size_t i = 0; i < full.size(); ++i) {
    if (full.compare(i, 2, "::") != 0) {
      out += full[i];
      continue;
    }
    if (!out.empty() && out.back() == ')') {
      out.erase(out.rfind('('));  // "(anonymous namespace)"
    } else {
      while (!out.empty() && in_identifier(out.back())) out.pop_back();
    }
    ++i;
  }
  return out;
}

std::string Module::repr() const {
  // PyTorch's layout: a one-line extra_repr of a leaf stays inline; otherwise every line of
  // extra_repr and of each "(name): child" goes on its own line, indented by two spaces.
  const std::string extra = extra_repr();
  if (children_.empty() && extra.find('\n') == std::string::npos) return name() + "(" + extra + ")";
  std::string body = extra.empty() ? "" : extra + "\n";
  for (const auto& [child_name, child] : children_) body += "(" + child_name + "): " + child->repr() + "\n";
  std::string out = name() + "(\n";
  for (std::size_t start = 0, end; start < body.size(); start = end + 1) {
    end = body.find('\n', start);
    out += "  " + body.substr(start, end - start + 1);
  }
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << module.repr(); }

}  // namespace lucid::nn
