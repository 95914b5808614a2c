// Custom differentiable functions, PyTorch's torch::autograd::Function:
//
//   struct Cube : lucid::autograd::Function<Cube> {
//     static Tensor forward(Context& ctx, const Tensor& x) { ctx.save_for_backward({x}); return x * x * x; }
//     static TensorList backward(Context& ctx, const TensorList& grad_outputs) {
//       Tensor x = ctx.saved_tensors()[0];
//       return {grad_outputs[0] * x * x * 3.0};
//     }
//   };
//   Tensor y = Cube::apply(x);
//
// apply(args...) runs forward with grad mode off and, when grad mode is on and a tensor argument
// requires grad, records one node whose backward calls Derived::backward. backward returns one entry
// per argument of forward (after ctx): the gradient of a tensor argument (undefined when there is
// none), undefined for every other argument. It runs with the grad mode of the backward pass, so
// under create_graph its ops are recorded and a backward written with lucid's differentiable ops can
// be differentiated again (gradgradcheck). forward returns one Tensor.
//
// What differs from LibTorch: needs_input_grad(i) counts forward's arguments, as backward's result
// does (Python's ctx.needs_input_grad; LibTorch counts tensor arguments only, the same thing when the
// tensors come first); there is no mark_dirty (write in place with the in-place ops instead) and no
// multi-output form.
#pragma once

#include <any>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include <boost/core/demangle.hpp>

#include "autodiff/grad_mode.h"
#include "autodiff/node.h"
#include "autodiff/saved_tensor.h"
#include "framework/errors.h"
#include "framework/tensor.h"

namespace lucid::autograd {

// What forward leaves for backward.
class Context {
 public:
  // Keeps tensors for backward with their storage versions: writing one in place before the backward
  // runs makes saved_tensors() raise instead of handing back values the forward never saw.
  void save_for_backward(std::initializer_list<Tensor> tensors) { save_for_backward(std::vector<Tensor>(tensors)); }
  void save_for_backward(const std::vector<Tensor>& tensors) {
    saved_.clear();
    for (const Tensor& t : tensors) saved_.emplace_back(t);
  }
  // The saved tensors, in order. RuntimeError when one was modified in place since it was saved.
  std::vector<Tensor> saved_tensors() const;
  // The output does not need a gradient (e.g. indices): apply records no node for it.
  void mark_non_differentiable(std::initializer_list<Tensor> outputs) {
    for (const Tensor& t : outputs) non_differentiable_.push_back(t.impl());
  }
  // Whether argument i of forward (after ctx) is a tensor whose gradient backward must compute.
  bool needs_input_grad(std::size_t i) const { return i < needs_input_grad_.size() && needs_input_grad_[i]; }
  // Anything else backward needs (scalars, shapes), PyTorch's ctx->saved_data.
  std::map<std::string, std::any> saved_data;

 private:
  template <class Derived>
  friend struct Function;
  std::vector<SavedTensor> saved_;
  std::vector<std::shared_ptr<TensorImpl>> non_differentiable_;
  std::vector<bool> needs_input_grad_;
  const Node* node_ = nullptr;  // set once the node exists, for the messages of saved_tensors()
};

namespace detail {
template <class A>
constexpr bool is_tensor_argument = std::is_same_v<std::remove_cvref_t<A>, Tensor>;

// The node's name, e.g. "CubeBackward" for struct Cube (namespaces kept).
template <class Derived>
const char* function_node_name() {
  static const std::string name = boost::core::demangle(typeid(Derived).name()) + "Backward";
  return name.c_str();
}

// The shape and dtype of a tensor argument, which its gradient must have.
struct InputMeta {
  Shape shape;
  DType dtype;
};

// Checks backward's result against forward's arguments (one entry per argument, undefined for every
// non-tensor one; a tensor's gradient of its shape and dtype) and keeps the tensors' gradients, one
// per edge. ValueError naming the node and the argument otherwise.
TensorList gradients_per_edge(const char* node_name, const TensorList& returned, const std::vector<bool>& is_tensor,
                              const std::vector<InputMeta>& tensor_inputs);
}  // namespace detail

template <class Derived>
struct Function {
  template <class... Args>
  static Tensor apply(Args&&... args) {
    auto ctx = std::make_shared<Context>();
    const std::vector<bool> is_tensor{detail::is_tensor_argument<Args>...};
    std::vector<Tensor> tensor_inputs;
    std::vector<detail::InputMeta> input_meta;
    (
        [&](const auto& arg) {
          if constexpr (detail::is_tensor_argument<decltype(arg)>) {
            tensor_inputs.push_back(arg);
            if (arg.defined()) input_meta.push_back({arg.shape(), arg.dtype()});
            else input_meta.push_back({Shape{}, float32});
            ctx->needs_input_grad_.push_back(is_grad_enabled() && arg.defined() && arg.requires_grad());
          } else {
            ctx->needs_input_grad_.push_back(false);
          }
        }(args),
        ...);
    Tensor out;
    {
      no_grad guard;
      out = Derived::forward(*ctx, std::forward<Args>(args)...);
    }
    if (!out.defined()) {
      throw ValueError(std::string(detail::function_node_name<Derived>()) + ": forward returned an undefined tensor");
    }
    for (const auto& marked : ctx->non_differentiable_) {
      if (marked == out.impl()) return out;
    }
    for (const Tensor& input : tensor_inputs) {
      // An input returned as is gets its own handle, so that the node is not attached to the input.
      if (input.impl() == out.impl()) out = out.detach();
    }
    std::vector<const Tensor*> inputs;
    for (const Tensor& t : tensor_inputs) inputs.push_back(&t);
    record(detail::function_node_name<Derived>(), out, inputs,
           [ctx, is_tensor, input_meta](const Tensor& grad_output, Node& self) {
             ctx->node_ = &self;
             const TensorList returned = Derived::backward(*ctx, TensorList{grad_output});
             return detail::gradients_per_edge(self.name(), returned, is_tensor, input_meta);
           });
    return out;
  }
};

}  // namespace lucid::autograd
