#include "framework/tensor.h"

#include <algorithm>
#include <cstddef>
#include <iostream>
#include <limits>
#include <string>

#include "framework/kernels/layout.h"

namespace lucid {

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  // No allocator serves more than PTRDIFF_MAX bytes; above it numel · element_size may also wrap size_t.
  const auto max_elements = static_cast<std::int64_t>(std::numeric_limits<std::ptrdiff_t>::max() / element_size(dtype));
  if (shape.numel() > max_elements) {
    throw ValueError("shape " + shape.str() + " (" + std::to_string(shape.numel()) + " elements of " +
                     std::string(dtype_name(dtype)) + ") needs more bytes than memory can address");
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(shape.numel()) * element_size(dtype));
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Shape::Dims Tensor::strides() const { return checked().effective_strides(); }

// Sizes of 1 (and empty tensors) make any stride contiguous, as in PyTorch.
bool Tensor::is_contiguous() const {
  const TensorImpl& impl = checked();
  if (impl.strides.empty() || impl.shape.numel() == 0) return true;
  std::int64_t expected = 1;
  for (std::size_t d = impl.shape.size(); d-- > 0;) {
    const std::int64_t size = impl.shape.dims()[d];
    if (size != 1 && impl.strides[d] != expected) return false;
    expected *= size;
  }
  return true;
}

void Tensor::throw_strided_data_access() const {
  throw RuntimeError("data<T>() needs a contiguous tensor, got a strided view of shape " + shape().str() +
                     " (call .contiguous() first)");
}

Tensor Tensor::dense_copy() const { return kernels::cast(*this, dtype()); }

void Tensor::throw_undefined() {
  throw ValueError("operation on an undefined Tensor (default-constructed or moved-from)");
}

Tensor& Tensor::requires_grad_(bool requires_grad) {
  if (!is_leaf()) {
    throw RuntimeError("requires_grad_() can only change leaf tensors; this tensor was produced by an op "
                       "(use detach() to get a leaf)");
  }
  if (requires_grad && !is_floating_point(impl_->dtype)) {
    throw RuntimeError("only tensors of a floating-point dtype can require gradients, got " +
                       std::string(dtype_name(impl_->dtype)));
  }
  impl_->requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  const TensorImpl& impl = checked();
  if (impl.grad_fn && !impl.retains_grad && !impl.warned_grad_access) {
    impl_->warned_grad_access = true;
    std::cerr << "lucid warning: the .grad() of a tensor that is not a leaf is being accessed. It is not filled "
                 "by backward(); call .retain_grad() on the non-leaf tensor before backward() if you want it, "
                 "or use .detach() to get a leaf.\n";
  }
  return Tensor(impl.grad);
}


void Tensor::set_grad(const Tensor& grad) const {
  checked();
  if (grad.defined() && (grad.shape() != shape() || grad.dtype() != dtype())) {
    throw ValueError("set_grad: gradient of shape " + grad.shape().str() + " and dtype " +
                     std::string(dtype_name(grad.dtype())) + " does not match tensor of shape " + shape().str() +
                     " and dtype " + std::string(dtype_name(dtype())));
  }
  impl_->grad = grad.impl();
}

Tensor Tensor::detach() const {
  const TensorImpl& self = checked();
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = self.storage;
  impl->offset = self.offset;
  impl->strides = self.strides;
  impl->shape = self.shape;
  impl->dtype = self.dtype;
  return Tensor(std::move(impl));
}

}  // namespace lucid
