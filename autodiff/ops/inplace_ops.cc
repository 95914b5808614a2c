// In-place ops (Tensor::add_, relu_, copy_, ...) and the autograd bookkeeping they need: version
// counters (every write bumps the storage's version, which SavedTensor checks), PyTorch's rules on
// which tensors may be written, and rebasing a written tensor's history onto the op's node.
//
// How an in-place op is recorded (a simplified form of PyTorch's rebase_history): the op runs as
// its out-of-place form on `self`'s current value, the result is copied into self's storage, the
// version is bumped, and self's grad_fn becomes the result's node, so the gradient is exactly the
// out-of-place op's. What each op keeps of the value it overwrites:
//   add_, sub_, mul_(double), div_(double), fill_, copy_: nothing (their backward does not read it);
//   mul_(t), div_(t): a copy of the old value, only when t requires grad (t's gradient reads it);
//   relu_: nothing: it saves its output, which answers y ≤ 0 exactly when x ≤ 0;
//   clamp_, sigmoid_, tanh_, silu_: a copy of the old value (their backward reads the input).
// If any op's backward did read an overwritten value, its saved-tensor check would raise; none
// returns a wrong gradient. An in-place op on a view also rebases the view's base (PyTorch's
// CopySlices): the base's new value is its old one with the view's elements replaced by the result,
// and the view becomes a view of that; other views of the same base re-derive their grad_fn from
// the base when next used (refresh_stale_view).
#include <string>

#include "autodiff/fused_op.h"
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/strided_views.h"
#include "framework/factories.h"
#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/fused_elementwise.h"
#include "framework/kernels/layout.h"

namespace lucid {
namespace autograd {

void SavedTensor::throw_modified(const Node& node) const {
  throw RuntimeError("one of the variables needed for gradient computation has been modified by an inplace "
                     "operation: [" + std::string(node.name()) + ", shape " + tensor_.shape().str() + "] is at version " +
                     std::to_string(tensor_._version()) + "; expected version " + std::to_string(version_) +
                     " instead. Hint: the tensor was written (copy_, fill_, add_, relu_, an optimizer step, ...) "
                     "after the op that saved it ran; write into a .clone() of it instead, or only after backward().");
}

namespace {

// Makes `node` (null: no history, a constant) the grad_fn of `impl`, moving a retain_grad() request.
void set_history(const std::shared_ptr<TensorImpl>& impl, std::shared_ptr<Node> node) {
  if (impl->grad_fn && impl->retains_grad) impl->grad_fn->extra().retained.reset();
  impl->grad_fn = std::move(node);
  impl->requires_grad = impl->grad_fn != nullptr;
  if (impl->grad_fn && impl->retains_grad) impl->grad_fn->extra().retained = impl;
  ++impl->history;
}

}  // namespace

// The view's grad_fn taken afresh from its base's current history.
void refresh_stale_view(TensorImpl& view) {
  const std::shared_ptr<TensorImpl>& base = view.view_base;
  const kernels::StridedPlacement placement{view.shape, view.effective_strides(), view.offset};
  const Tensor fresh = strided_view_of(Tensor(base), placement, "AsStridedBackward");
  view.grad_fn = fresh.grad_fn();
  view.requires_grad = fresh.requires_grad();
  view.base_history_seen = base->history;
}

}  // namespace autograd

namespace {

using autograd::Node;
using autograd::SavedTensor;
using autograd::strided_view_of;
using autograd::TensorList;

// PyTorch's rules for a write in grad mode: never into a leaf that requires grad, or a view of one.
void check_writable(const Tensor& self) {
  if (!autograd::is_grad_enabled()) return;
  const TensorImpl& impl = *self.impl();
  if (impl.requires_grad && !impl.grad_fn) {
    throw RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
  }
  if (impl.view_base && impl.view_base->requires_grad && !impl.view_base->grad_fn) {
    throw RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

// self's value as the input of the out-of-place op, in self's place in the graph: sharing self's
// storage when the op's backward does not read it, else a copy taken before the write.
Tensor input_of(const Tensor& self, bool copy) {
  auto impl = std::make_shared<TensorImpl>();
  if (copy) {
    impl->storage = kernels::cast(self, self.dtype()).impl()->storage;
  } else {
    impl->storage = self.impl()->storage;
    impl->offset = self.impl()->offset;
    impl->strides = self.impl()->strides;
  }
  impl->shape = self.shape();
  impl->dtype = self.dtype();
  impl->requires_grad = self.requires_grad();
  impl->grad_fn = self.grad_fn();
  return Tensor(std::move(impl));
}

// The base's value after `view` (one of its views) was overwritten with `result`, in the graph:
// base_before outside the view's elements, result inside (PyTorch's CopySlices). Gradients: the
// incoming one with the view's elements zeroed for base_before, those elements for result.
Tensor copy_slices_node(const Tensor& base, const Tensor& view, const Tensor& result) {
  const Tensor base_before = input_of(base, false);
  Tensor base_after = base.detach();
  autograd::record("CopySlices", base_after, {&base_before, &result},
                   [base_at = kernels::placement_of(base), view_at = kernels::placement_of(view)](const Tensor& g, Node&) {
                     const Tensor in_view = autograd::restride(g, base_at, view_at);
                     return TensorList{g - autograd::restride(in_view, view_at, base_at), in_view};
                   });
  return base_after;
}

// Writes `result` (self's shape and dtype) into self and counts the write; in grad mode self's
// history becomes the result's, and a view's base takes the write through copy_slices_node (a view
// over the whole of a contiguous base, as reshape's, simply as the result reshaped).
void commit(const Tensor& self, const Tensor& result, bool record_history) {
  if (result.impl()->storage != self.impl()->storage) kernels::copy_into(self, result);
  self.bump_version();
  if (!record_history) return;
  const std::shared_ptr<TensorImpl> base_impl = self.impl()->view_base;
  if (!base_impl) {
    autograd::set_history(self.impl(), result.grad_fn());
    return;
  }
  const Tensor base(base_impl);
  const bool whole_base = self.is_contiguous() && base.is_contiguous() && self.numel() == base.numel() &&
                          self.storage_offset() == base.storage_offset();
  if (whole_base) {
    autograd::set_history(self.impl(), result.grad_fn());
    autograd::set_history(base_impl, reshape(self, {base_impl->shape.begin(), base_impl->shape.end()}).grad_fn());
  } else {
    autograd::set_history(base_impl, copy_slices_node(base, self, result).grad_fn());
    autograd::set_history(self.impl(), strided_view_of(base, kernels::placement_of(self), "AsStridedBackward").grad_fn());
  }
  self.impl()->base_history_seen = base_impl->history;
}

// self = op(self's value); `reads_self`: op's backward reads the value it overwrites.
template <class Op>
Tensor& apply_inplace(Tensor& self, bool reads_self, Op&& op) {
  check_writable(self);
  if (!autograd::is_grad_enabled()) {
    commit(self, op(self), false);
    return self;
  }
  autograd::refresh_if_stale_view(self);
  commit(self, op(input_of(self, reads_self)), true);
  return self;
}

// `other` as the second operand of self's in-place op: broadcast to self's shape, self's dtype.
Tensor operand_for(const Tensor& self, const Tensor& other, const char* op) {
  if (!broadcasts_to(other.shape(), self.shape())) {
    throw ValueError(std::string(op) + ": the operand of shape " + other.shape().str() +
                     " does not broadcast to this tensor's shape " + self.shape().str() +
                     " (an in-place op cannot change the shape)");
  }
  return other.dtype() == self.dtype() ? other : to_dtype(other, self.dtype());
}

}  // namespace

Tensor& Tensor::retain_grad() {
  const TensorImpl& impl = checked();
  if (impl.grad_fn) {
    impl_->retains_grad = true;
    impl.grad_fn->extra().retained = impl_;
  }
  return *this;
}

Tensor& Tensor::fill_(double value) {
  checked();
  return apply_inplace(*this, false, [&](const Tensor& in) { return full(in.shape(), value, in.dtype()); });
}

Tensor& Tensor::copy_(const Tensor& src) {
  if (!broadcasts_to(src.shape(), shape())) {
    throw ValueError("copy_: source shape " + src.shape().str() + " does not broadcast to destination shape " +
                     shape().str());
  }
  return apply_inplace(*this, false, [&](const Tensor& in) {
    if (!autograd::is_grad_enabled()) {
      return src.shape() == in.shape() ? kernels::cast(src, in.dtype()) : kernels::expand_copy(kernels::cast(src, in.dtype()), in.shape());
    }
    return lucid::clone(expand(to_dtype(src, in.dtype()), in.shape()));  // a fresh node even for a leaf src
  });
}

Tensor& Tensor::add_(const Tensor& other) {
  const Tensor o = operand_for(*this, other, "add_");
  return apply_inplace(*this, false, [&](const Tensor& in) { return add(in, o); });
}
Tensor& Tensor::sub_(const Tensor& other) {
  const Tensor o = operand_for(*this, other, "sub_");
  return apply_inplace(*this, false, [&](const Tensor& in) { return sub(in, o); });
}
Tensor& Tensor::mul_(const Tensor& other) {
  const Tensor o = operand_for(*this, other, "mul_");
  return apply_inplace(*this, o.requires_grad(), [&](const Tensor& in) { return mul(in, o); });
}
Tensor& Tensor::div_(const Tensor& other) {
  const Tensor o = operand_for(*this, other, "div_");
  return apply_inplace(*this, o.requires_grad(), [&](const Tensor& in) { return div(in, o); });
}
Tensor& Tensor::add_(double other) {
  return apply_inplace(*this, false, [&](const Tensor& in) { return add(in, other); });
}
Tensor& Tensor::sub_(double other) {
  return apply_inplace(*this, false, [&](const Tensor& in) { return sub(in, other); });
}
Tensor& Tensor::mul_(double other) {
  return apply_inplace(*this, false, [&](const Tensor& in) { return mul(in, other); });
}
Tensor& Tensor::div_(double other) {
  return apply_inplace(*this, false, [&](const Tensor& in) { return div(in, other); });
}
Tensor& Tensor::clamp_(double min, double max) {
  return apply_inplace(*this, true, [&](const Tensor& in) { return lucid::clamp(in, min, max); });
}
Tensor& Tensor::sigmoid_() {
  return apply_inplace(*this, true, [](const Tensor& in) { return lucid::sigmoid(in); });
}
Tensor& Tensor::tanh_() {
  return apply_inplace(*this, true, [](const Tensor& in) { return lucid::tanh(in); });
}
Tensor& Tensor::silu_() {
  return apply_inplace(*this, true, [](const Tensor& in) { return lucid::silu(in); });
}

// relu_ saves its output instead of the input it overwrites: ReLU's gradient formula reads only
// x ≤ 0, which y = relu(x) answers the same way (NaN and −0 included), so running it on y gives the
// out-of-place gradient bit for bit.
Tensor& Tensor::relu_() {
  return apply_inplace(*this, false, [this](const Tensor& in) {
    Tensor out;
    {
      autograd::no_grad guard;
      out = lucid::relu(in);
    }
    // `self` after the write, as the backward will read it: the storage and the version it will have.
    auto output = std::make_shared<TensorImpl>(*in.impl());
    output->grad_fn = nullptr;
    output->requires_grad = false;
    output->storage = impl_->storage;
    output->offset = impl_->offset;
    autograd::record("ReluBackward", out, {&in},
                     [saved = SavedTensor(Tensor(output), _version() + 1)](const Tensor& g, Node& node) {
                       const std::array<Tensor, 2> with_grad{saved.unpack(node), g};
                       return TensorList{autograd::fused_detail::input_gradient<kernels::exprs::Relu, 0, 1, 0>(
                           kernels::Relu_kernels, with_grad, {}, autograd::is_grad_enabled())};
                     });
    return out;
  });
}

}  // namespace lucid
