// Anomaly detection (PyTorch's torch.autograd.detect_anomaly): while a detect_anomaly guard is alive
// on a thread, each node recorded there remembers the shapes of its forward op's inputs, and a
// backward pass started there checks what every node's backward returns: the first node whose output
// gradients contain NaN or ±Inf raises RuntimeError naming the node and the forward op, e.g.
//   Function 'LogBackward' returned inf values in its 0th output (forward op 'Log' created from
//   inputs of shape (3,)) ...
//
//   { lucid::autograd::detect_anomaly guard; loss = model(x); loss.backward(); }
//
// Thread-local and nestable, like grad mode. Off, it costs one thread-local read per recorded node and
// one per backward pass. On, the check reads every gradient once: a debugging aid, not for training.
#pragma once

#include <initializer_list>
#include <span>
#include <string>

#include "autodiff/scoped_setting.h"
#include "framework/tensor.h"

namespace lucid::autograd {

class Node;

bool is_anomaly_enabled();
void set_anomaly_enabled(bool enabled);

// Inside the scope, nodes remember their forward op and backward passes check for NaN/Inf.
using detect_anomaly = ScopedSetting<is_anomaly_enabled, set_anomaly_enabled, true>;

// What a node recorded under detect_anomaly remembers of its forward op (Node::Extras::anomaly).
struct AnomalyInfo {
  std::string input_shapes;  // "(3,)", "(2, 3) and (3,)"; an absent optional input shows as "undefined"
};

// Called by record() when anomaly detection is on.
void remember_forward_op(Node& node, std::span<const Tensor* const> inputs);
// RuntimeError when one of `grads` (what node.apply returned) holds NaN or ±Inf.
void check_backward_outputs(const Node& node, std::span<const Tensor> grads);

}  // namespace lucid::autograd
