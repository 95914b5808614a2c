#include "autodiff/engine.h"

#include <atomic>
#include <string>
#include <vector>

#include "autodiff/anomaly_mode.h"
#include "autodiff/hooks.h"
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/profiler.h"
#include "framework/factories.h"
#include "framework/kernels/elementwise.h"

namespace lucid::autograd {
namespace {

std::atomic<std::uint64_t> next_epoch{1};

// Restores grad mode and clears the nodes' scratch space however the pass ends.
class PassScope {
 public:
  explicit PassScope(bool create_graph) : previous_mode_(is_grad_enabled()) { set_grad_enabled(create_graph); }
  ~PassScope() {
    for (Node* node : visited) node->pending_grad = Tensor();
    set_grad_enabled(previous_mode_);
  }
  PassScope(const PassScope&) = delete;
  PassScope& operator=(const PassScope&) = delete;
  std::vector<Node*> visited;

 private:
  bool previous_mode_;
};

// A gradient the slot may adopt as it is: no other handle or view shares it, and it is contiguous.
bool sole_owner(const Tensor& t) {
  return t.impl().use_count() == 1 && t.impl()->storage.use_count() == 1 && t.is_contiguous();
}

// slot += grad, where slot is a leaf's .grad or a captured gradient. Without create_graph the sum
// is computed in place and a uniquely owned incoming gradient is adopted without a copy. A shared
// one (the caller's seed, or one gradient passed unchanged to several inputs, as by add) is copied,
// with create_graph too, so that no two slots alias each other or the caller's tensor.
void accumulate(std::shared_ptr<TensorImpl>& slot, Tensor grad, bool create_graph) {
  if (!slot) {
    if (create_graph) {
      slot = sole_owner(grad) ? grad.impl() : clone(grad).impl();  // clone is recorded: keeps the graph
    } else {
      slot = sole_owner(grad) && !grad.grad_fn() ? grad.impl() : grad.detach().clone().impl();
    }
    return;
  }
  Tensor current(slot);
  if (create_graph || current.grad_fn()) {
    slot = (current + grad).impl();
  } else {
    kernels::add_inplace(current, grad);
    current.bump_version();
  }
}

void accumulate_into_node(Node& node, Tensor grad) {
  node.pending_grad = node.pending_grad.defined() ? node.pending_grad + grad : std::move(grad);
}

// Where leaf gradients go: into each leaf's .grad, or, for grad(), into slots for chosen leaves.
// A leaf with hooks (hooks.h) has its edges counted: expect() counts the pass's edges into it,
// edge_done() counts them down. While it has tensor hooks, add() holds its gradients back and sums
// them; the last edge runs the hooks on that sum and delivers the result. After the last edge the
// post-accumulate-grad hooks run (backward() only).
struct LeafSink {
  const std::vector<Tensor>* capture_inputs = nullptr;  // null: accumulate into .grad
  std::vector<std::shared_ptr<TensorImpl>> captured;
  bool create_graph = false;

  // One more edge of pass `epoch` leads to `leaf`.
  void expect(const std::shared_ptr<TensorImpl>& leaf, std::uint64_t epoch) const {
    LeafHooks* hooks = leaf->hooks.get();
    if (!hooks) return;
    if (hooks->visit_epoch != epoch) {
      hooks->visit_epoch = epoch;
      hooks->pending_edges = 0;
      hooks->received = false;
      hooks->pending_grad = Tensor();  // left over by a pass that threw
    }
    ++hooks->pending_edges;
  }

  void add(const std::shared_ptr<TensorImpl>& leaf, Tensor grad) {
    LeafHooks* hooks = leaf->hooks.get();
    if (hooks && !hooks->grad_hooks.empty()) {
      if (capture_inputs && capture_slot(leaf) < 0) return;  // grad(): only the chosen leaves' hooks run
      hooks->pending_grad = hooks->pending_grad.defined() ? hooks->pending_grad + grad : std::move(grad);
      return;
    }
    deliver(leaf, std::move(grad));
  }

  // An edge into `leaf` has run (with or without a gradient); the last one runs the hooks.
  void edge_done(const std::shared_ptr<TensorImpl>& leaf) {
    const std::shared_ptr<LeafHooks> hooks = leaf->hooks;  // a hook may remove itself
    if (!hooks || --hooks->pending_edges > 0) return;
    if (hooks->pending_grad.defined()) {
      Tensor grad = std::move(hooks->pending_grad);
      hooks->pending_grad = Tensor();
      deliver(leaf, run_tensor_hooks(hooks->grad_hooks, std::move(grad), "a leaf tensor"));
    }
    if (capture_inputs || !hooks->received) return;
    const Tensor tensor(leaf);
    for (const auto& [id, hook] : hooks->post_accumulate.snapshot()) hook(tensor);
  }

 private:
  std::ptrdiff_t capture_slot(const std::shared_ptr<TensorImpl>& leaf) const {
    for (std::size_t k = 0; k < capture_inputs->size(); ++k) {
      if ((*capture_inputs)[k].impl() == leaf) return static_cast<std::ptrdiff_t>(k);
    }
    return -1;
  }

  // The pass's final gradient for `leaf`: added to .grad, or to grad()'s slot when the leaf is chosen.
  void deliver(const std::shared_ptr<TensorImpl>& leaf, Tensor grad) {
    if (!capture_inputs) {
      accumulate(leaf->grad, std::move(grad), create_graph);
      if (leaf->hooks) leaf->hooks->received = true;
      return;
    }
    const std::ptrdiff_t k = capture_slot(leaf);
    if (k >= 0) accumulate(captured[static_cast<std::size_t>(k)], std::move(grad), create_graph);
  }
};

void backward_pass(const Tensor& root, const Tensor& grad_root, bool retain_graph, bool create_graph,
                   LeafSink& sink) {
  const bool retain = retain_graph || create_graph;
  const bool check_anomaly = is_anomaly_enabled();  // read once per pass
  sink.create_graph = create_graph;
  PassScope scope(create_graph);
  const std::uint64_t epoch = next_epoch.fetch_add(1);
  if (!root.grad_fn()) {  // the root is itself a leaf
    sink.expect(root.impl(), epoch);
    sink.add(root.impl(), grad_root);
    sink.edge_done(root.impl());
    return;
  }

  // Discover the graph depth-first with an explicit stack and count each node's incoming edges
  // (and each hooked leaf's). A freed node fails the pass here, before any gradient reaches a leaf.
  Node* root_node = root.grad_fn().get();
  root_node->visit_epoch = epoch;
  root_node->dependencies = 0;
  std::vector<Node*> stack{root_node};
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    if (node->released()) throw freed_graph_error(node->name());
    scope.visited.push_back(node);
    for (const Edge& edge : node->edges) {
      if (edge.leaf) sink.expect(edge.leaf, epoch);
      Node* next = edge.node.get();
      if (!next) continue;
      if (next->visit_epoch != epoch) {
        next->visit_epoch = epoch;
        next->dependencies = 0;
        stack.push_back(next);
      }
      ++next->dependencies;
    }
  }

  // Kahn's algorithm: a node runs once every node that feeds it a gradient has run.
  root_node->pending_grad = grad_root;
  std::vector<Node*> ready{root_node};
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    TensorList grads;
    if (node->pending_grad.defined()) {
      Tensor grad = std::move(node->pending_grad);
      node->pending_grad = Tensor();
      if (node->extras && node->extras->grad_hooks) {  // register_hook on the non-leaf this node made
        grad = run_tensor_hooks(*node->extras->grad_hooks, std::move(grad), std::string("the output of ") + node->name());
      }
      if (!sink.capture_inputs && node->extras) {
        if (const std::shared_ptr<TensorImpl> retained = node->extras->retained.lock()) {
          accumulate(retained->grad, grad, create_graph);  // grad stays shared: accumulate copies it
        }
      }
      if (!grad.is_contiguous()) grad = grad.contiguous();  // backwards read gradients in row-major order
      {
        ProfileScope span("backward", node->name());
        grads = node->apply(grad);
      }
      if (check_anomaly) check_backward_outputs(*node, {grads.data(), grads.size()});
      if (!retain) node->release();
    }
    for (std::size_t i = 0; i < node->edges.size(); ++i) {
      const Edge& edge = node->edges[i];
      const bool has_grad = i < grads.size() && grads[i].defined();
      if (edge.node) {
        if (has_grad) accumulate_into_node(*edge.node, std::move(grads[i]));
        if (--edge.node->dependencies == 0) ready.push_back(edge.node.get());
      } else if (edge.leaf) {
        if (has_grad) sink.add(edge.leaf, std::move(grads[i]));
        sink.edge_done(edge.leaf);
      }
    }
  }
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& grad_root, bool retain_graph, bool create_graph) {
  LeafSink sink;
  backward_pass(root, grad_root, retain_graph, create_graph, sink);
}

std::vector<Tensor> grad(const Tensor& root, const std::vector<Tensor>& inputs, const Tensor& grad_root,
                         bool retain_graph, bool create_graph) {
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (!inputs[k].is_leaf() || !inputs[k].requires_grad()) {
      throw ValueError("grad(): input " + std::to_string(k) + " must be a leaf tensor that requires grad");
    }
  }
  if (!grad_root.defined()) {
    if (root.numel() != 1) {
      throw ValueError("grad(): without grad_root the root must have one element, got shape " + root.shape().str() +
                       "; pass a grad_root of that shape");
    }
    return grad(root, inputs, ones(root.shape(), root.dtype()), retain_graph, create_graph);
  }
  if (grad_root.shape() != root.shape() || grad_root.dtype() != root.dtype()) {
    throw ValueError("grad(): grad_root of shape " + grad_root.shape().str() + " does not match root of shape " +
                     root.shape().str());
  }
  LeafSink sink{&inputs, std::vector<std::shared_ptr<TensorImpl>>(inputs.size())};
  if (root.requires_grad()) backward_pass(root, grad_root, retain_graph, create_graph, sink);
  std::vector<Tensor> grads(inputs.size());
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    grads[k] = sink.captured[k] ? Tensor(sink.captured[k]) : zeros_like(inputs[k]);
  }
  return grads;
}

}  // namespace lucid::autograd
