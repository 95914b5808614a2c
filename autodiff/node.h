// Graph nodes of the define-by-run engine. Each differentiable op that runs with grad mode on and
// an input that requires grad makes one Node: it knows where each input's gradient goes (edges) and
// how to turn the output's gradient into the inputs' gradients (its backward function).
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include <boost/container/small_vector.hpp>

#include "autodiff/anomaly_mode.h"
#include "autodiff/grad_mode.h"
#include "autodiff/hooks.h"
#include "autodiff/saved_tensor.h"
#include "framework/tensor.h"

namespace lucid::autograd {

using TensorList = boost::container::small_vector<Tensor, 2>;

// Where one input's gradient goes: the node that produced the input, or the leaf that accumulates it.
// Both empty: the input needs no gradient.
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<TensorImpl> leaf;
  bool needs_grad() const { return node || leaf; }
};

// The error of a backward pass that reaches a node whose saved tensors were freed.
inline RuntimeError freed_graph_error(const char* node_name) {
  return RuntimeError(std::string("Trying to backward through the graph a second time: the saved tensors of ") +
                      node_name + " were freed by the first backward. Pass retain_graph=true to the first "
                      "backward() to backpropagate through it again.");
}

class Node : public std::enable_shared_from_this<Node> {
 public:
  // Destroys the chain of nodes this one alone keeps alive without recursion (node.cc), so that
  // dropping a graph of any depth cannot overflow the stack.
  virtual ~Node();
  // PyTorch-style name, e.g. "MulBackward".
  virtual const char* name() const = 0;
  // Gradients for each input (one per edge) from the output's gradient. An entry may be undefined
  // when that input needs no gradient. Throws RuntimeError after release().
  virtual TensorList apply(const Tensor& grad_output) = 0;
  // Frees what the backward function saved; called after use unless the graph is retained.
  virtual void release() = 0;
  // True after release(): apply() would throw.
  virtual bool released() const = 0;

  bool needs_input_grad(std::size_t i) const { return edges[i].needs_grad(); }

  boost::container::small_vector<Edge, 2> edges;

  // What few nodes need (retain_grad, register_hook, detect_anomaly), kept off the node itself,
  // which every recorded op allocates: null until first needed (extra() makes it).
  struct Extras {
    // The non-leaf tensor whose retain_grad() asks for the gradient this node receives.
    std::weak_ptr<TensorImpl> retained;
    // Tensor::register_hook on that non-leaf (hooks.h): run on the incoming gradient before apply().
    std::unique_ptr<HookList<TensorHook>> grad_hooks;
    // Recorded under detect_anomaly (anomaly_mode.h): the forward op's input shapes.
    std::unique_ptr<AnomalyInfo> anomaly;
  };
  std::unique_ptr<Extras> extras;
  Extras& extra() {
    if (!extras) extras = std::make_unique<Extras>();
    return *extras;
  }

  // Scratch space of the engine during one backward pass (see engine.cc).
  Tensor pending_grad;
  int dependencies = 0;
  std::uint64_t visit_epoch = 0;
};

// A node whose backward is a callable `TensorList(const Tensor& grad_output, Node& self)`.
template <typename Backward>
class FunctionNode final : public Node {
 public:
  FunctionNode(const char* name, Backward backward) : name_(name), backward_(std::move(backward)) {}
  const char* name() const override { return name_; }
  TensorList apply(const Tensor& grad_output) override {
    if (!backward_) throw freed_graph_error(name_);
    return (*backward_)(grad_output, *this);
  }
  void release() override { backward_.reset(); }
  bool released() const override { return !backward_; }

 private:
  const char* name_;
  std::optional<Backward> backward_;
};

// A view whose base was given a new grad_fn by an in-place op (through the base or another view)
// takes its grad_fn afresh from the base (inplace_ops.cc). Every lucid view is a reshape of its
// whole base, so the re-derived history is exact.
void refresh_stale_view(TensorImpl& view);
inline void refresh_if_stale_view(const Tensor& t) {
  TensorImpl* impl = t.impl().get();
  if (impl && impl->view_base && impl->base_history_seen != impl->view_base->history) refresh_stale_view(*impl);
}

// True when an op on these inputs must record a node. Undefined inputs (an optional operand left
// out, e.g. GroupNorm's weight with affine=false) need no gradient.
inline bool should_record(std::span<const Tensor* const> inputs) {
  if (!is_grad_enabled()) return false;
  bool any = false;
  for (const Tensor* t : inputs) {
    refresh_if_stale_view(*t);
    any = any || (t->defined() && t->requires_grad());
  }
  return any;
}
inline bool should_record(std::initializer_list<const Tensor*> inputs) {
  return should_record(std::span<const Tensor* const>(inputs.begin(), inputs.size()));
}

// Where the gradient of input t goes: its producer node, the leaf itself, or nowhere.
inline Edge edge_to(const Tensor& t) {
  const auto& impl = t.impl();
  if (!impl) return {};
  if (impl->grad_fn) return Edge{impl->grad_fn, nullptr};
  if (impl->requires_grad) return Edge{nullptr, impl};
  return {};
}

// Makes `out` the output of a new node with the given backward when should_record(inputs).
template <typename Backward>
void record(const char* name, Tensor& out, std::span<const Tensor* const> inputs, Backward&& backward) {
  if (!should_record(inputs)) return;
  auto node = std::make_shared<FunctionNode<std::decay_t<Backward>>>(name, std::forward<Backward>(backward));
  node->edges.reserve(inputs.size());
  for (const Tensor* t : inputs) node->edges.push_back(edge_to(*t));
  if (is_anomaly_enabled()) remember_forward_op(*node, inputs);
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
}
template <typename Backward>
void record(const char* name, Tensor& out, std::initializer_list<const Tensor*> inputs, Backward&& backward) {
  record(name, out, std::span<const Tensor* const>(inputs.begin(), inputs.size()), std::forward<Backward>(backward));
}

}  // namespace lucid::autograd
