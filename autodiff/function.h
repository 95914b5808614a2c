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

#include "autodiff/grad_mode.h"
#include "autodiff/node.h"
#include "autodiff/saved_tensor.h"
#include "framework/errors.h"
#include "framework/tensor.h"

namespace lucid::autograd {

class Context;

namespace detail {
// Derived::backward of a Function, behind a plain function pointer so that recording is no template.
using BackwardFunction = TensorList (*)(Context& ctx, const TensorList& grad_outputs);

// What apply() does once forward returned `out` (function.cc): ValueError when `out` is undefined;
// unless forward marked it non-differentiable, records the node named `node_name` whose backward
// calls `backward` with ctx and checks its result against forward's arguments (one entry per
// argument; a tensor's gradient of its shape and dtype). tensor_inputs are forward's tensor
// arguments in order, is_tensor says which of forward's arguments are tensors.
Tensor record_function(const char* node_name, Tensor out, std::shared_ptr<Context> ctx,
                       std::vector<Tensor> tensor_inputs, std::vector<bool> is_tensor, BackwardFunction backward);
}  // namespace detail

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
  friend Tensor detail::record_function(const char* node_name, Tensor out, std::shared_ptr<Context> ctx,
                                        std::vector<Tensor> tensor_inputs, std::vector<bool> is_tensor,
                                        detail::BackwardFunction backward);
  // Sets needs_input_grad from forward's arguments (apply() calls it before forward runs).
  void set_needs_input_grad(const std::vector<bool>& is_tensor, const std::vector<Tensor>& tensor_inputs);
  std::vector<SavedTensor> saved_;
  std::vector<std::shared_ptr<TensorImpl>> non_differentiable_;
  std::vector<bool> needs_input_grad_;
  const Node* node_ = nullptr;  // set once the node exists, for the messages of saved_tensors()
};

namespace detail {
template <class A>
constexpr bool is_tensor_argument = std::is_same_v<std::remove_cvref_t<A>, Tensor>;

// The name of the node of a Function type, e.g. "CubeBackward" for struct Cube (namespaces kept).
std::string backward_node_name(const std::type_info& function_type);
template <class Derived>
const char* function_node_name() {
  static const std::string name = backward_node_name(typeid(Derived));
  return name.c_str();
}
}  // namespace detail

template <class Derived>
struct Function {
  template <class... Args>
  static Tensor apply(Args&&... args) {
    auto ctx = std::make_shared<Context>();
    std::vector<bool> is_tensor{detail::is_tensor_argument<Args>...};
    std::vector<Tensor> tensor_inputs;
    (
        [&](const auto& arg) {
          if constexpr (detail::is_tensor_argument<decltype(arg)>) tensor_inputs.push_back(arg);
        }(args),
        ...);
    ctx->set_needs_input_grad(is_tensor, tensor_inputs);
    Tensor out;
    {
      no_grad guard;
      out = Derived::forward(*ctx, std::forward<Args>(args)...);
    }
    return detail::record_function(
        detail::function_node_name<Derived>(), std::move(out), std::move(ctx), std::move(tensor_inputs),
        std::move(is_tensor), [](Context& c, const TensorList& grad_outputs) -> TensorList {
          return Derived::backward(c, grad_outputs);
        });
  }
};

}  // namespace lucid::autograd
