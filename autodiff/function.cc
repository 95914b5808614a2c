// The non-template parts of custom autograd Functions (function.h).
#include "autodiff/function.h"

#include <string>

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

namespace detail {

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

}  // namespace detail
}  // namespace lucid::autograd
