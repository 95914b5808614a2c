// The non-template parts of custom autograd Functions (function.h).
#include "autodiff/function.h"

#include <string>

#include <boost/core/demangle.hpp>

namespace lucid::autograd {

std::vector<Tensor> Context::saved_tensors() const {
  std::vector<Tensor> out;
  out.reserve(saved_.size());
  for (const SavedTensor& saved : saved_) {
    if (!node_) throw RuntimeError("saved_tensors() is for backward: forward still has the tensors it saved");
    out.push_back(saved.unpack(*node_));
  }
  return out;
}

void Context::set_needs_input_grad(const std::vector<bool>& is_tensor, const std::vector<Tensor>& tensor_inputs) {
  needs_input_grad_.clear();
  std::size_t next_tensor = 0;
  for (const bool tensor : is_tensor) {
    const Tensor* t = tensor ? &tensor_inputs[next_tensor++] : nullptr;
    needs_input_grad_.push_back(t && is_grad_enabled() && t->defined() && t->requires_grad());
  }
}

namespace detail {

std::string backward_node_name(const std::type_info& function_type) {
  return boost::core::demangle(function_type.name()) + "Backward";
}

namespace {

// The shape and dtype of a tensor argument, which its gradient must have.
struct InputMeta {
  Shape shape;
  DType dtype;
};

// Checks backward's result against forward's arguments (one entry per argument, undefined for every
// non-tensor one; a tensor's gradient of its shape and dtype) and keeps the tensors' gradients, one
// per edge. ValueError naming the node and the argument otherwise.
TensorList gradients_per_edge(const char* node_name, const TensorList& returned, const std::vector<bool>& is_tensor,
                              const std::vector<InputMeta>& tensor_inputs) {
  if (returned.size() != is_tensor.size()) {
    throw ValueError(std::string(node_name) + ": backward returned " + std::to_string(returned.size()) +
                     " gradients, but forward took " + std::to_string(is_tensor.size()) +
                     " arguments (return one per argument, undefined for those that are not tensors)");
  }
  TensorList per_edge;
  std::size_t edge = 0;
  for (std::size_t i = 0; i < returned.size(); ++i) {
    const Tensor& grad = returned[i];
    if (!is_tensor[i]) {
      if (grad.defined()) {
        throw ValueError(std::string(node_name) + ": backward returned a gradient for argument " + std::to_string(i) +
                         ", which is not a tensor (return an undefined Tensor() there)");
      }
      continue;
    }
    const InputMeta& input = tensor_inputs[edge++];
    if (grad.defined() && (grad.shape() != input.shape || grad.dtype() != input.dtype)) {
      throw ValueError(std::string(node_name) + ": backward returned a gradient of shape " + grad.shape().str() +
                       " and dtype " + std::string(dtype_name(grad.dtype())) + " for argument " + std::to_string(i) +
                       ", which has shape " + input.shape.str() + " and dtype " +
                       std::string(dtype_name(input.dtype)));
    }
    per_edge.push_back(grad);
  }
  return per_edge;
}

}  // namespace

Tensor record_function(const char* node_name, Tensor out, std::shared_ptr<Context> ctx,
                       std::vector<Tensor> tensor_inputs, std::vector<bool> is_tensor, BackwardFunction backward) {
  if (!out.defined()) throw ValueError(std::string(node_name) + ": forward returned an undefined tensor");
  for (const auto& marked : ctx->non_differentiable_) {
    if (marked == out.impl()) return out;
  }
  std::vector<InputMeta> input_meta;
  std::vector<const Tensor*> inputs;
  for (const Tensor& input : tensor_inputs) {
    input_meta.push_back(input.defined() ? InputMeta{input.shape(), input.dtype()} : InputMeta{Shape{}, float32});
    inputs.push_back(&input);
    // An input returned as is gets its own handle, so that the node is not attached to the input.
    if (input.impl() == out.impl()) out = out.detach();
  }
  record(node_name, out, inputs,
         [ctx = std::move(ctx), is_tensor = std::move(is_tensor), input_meta = std::move(input_meta), backward](
             const Tensor& grad_output, Node& self) {
           ctx->node_ = &self;
           const TensorList returned = backward(*ctx, TensorList{grad_output});
           return gradients_per_edge(self.name(), returned, is_tensor, input_meta);
         });
  return out;
}

}  // namespace detail
}  // namespace lucid::autograd
