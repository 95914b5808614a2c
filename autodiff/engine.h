// The reverse pass: runs node backward functions in reverse topological order.
#pragma once

#include <vector>

#include "framework/tensor.h"

namespace lucid::autograd {

// Backpropagates grad_root (same shape as root) from root into the .grad of every leaf that
// requires grad. Iterative (no recursion), so graph depth is bounded by memory only. Frees each
// node's saved tensors after use unless retain_graph or create_graph.
void run_backward(const Tensor& root, const Tensor& grad_root, bool retain_graph, bool create_graph);

// d root / d input for each of `inputs` (leaves that require grad), contracted with grad_root,
// returned instead of accumulated into .grad; no other leaf's .grad changes (PyTorch's
// torch.autograd.grad). An input the root does not depend on gets a zero gradient. Without
// grad_root (undefined) the root must have one element, whose gradient is 1.
std::vector<Tensor> grad(const Tensor& root, const std::vector<Tensor>& inputs, const Tensor& grad_root = {},
                         bool retain_graph = false, bool create_graph = false);

}  // namespace lucid::autograd
