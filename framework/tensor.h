// Tensor: a reference-counted handle to data of one dtype, row-major and contiguous or (for the
// slicing views) strided, plus the autograd metadata (requires_grad, grad, grad_fn) that the
// define-by-run engine in autodiff/ fills in.
//
// Copying a Tensor copies the handle, not the data. reshape()/view() and the slicing views
// (select, narrow, slice, split, chunk, index with integers, slices, None and Ellipsis) share storage.
// Differentiable methods (arithmetic, sum, backward, ...) are declared here and implemented in
// autodiff/ (tensor_methods.cc), which records the graph; the framework itself only stores data.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "framework/device.h"
#include "framework/dtype.h"
#include "framework/errors.h"
#include "framework/shape.h"
#include "framework/storage.h"

namespace lucid {

namespace indexing {
class TensorIndex;
}
namespace autograd {
class Node;
struct LeafHooks;
class RemovableHandle;
}

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  std::int64_t offset = 0;  // in elements, into storage
  Shape shape;
  // Element strides of a strided view (select, narrow, slice, index); empty means row-major contiguous,
  // which every tensor an op allocates is.
  Shape::Dims strides;
  Shape::Dims effective_strides() const { return strides.empty() ? shape.contiguous_strides() : strides; }
  DType dtype = DType::kFloat32;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;               // accumulated gradient of a leaf
  std::shared_ptr<autograd::Node> grad_fn;        // node that produced this tensor (null for leaves)
  std::shared_ptr<autograd::LeafHooks> hooks;     // a leaf's tensor and post-accumulate-grad hooks (autodiff/hooks.h)
  // Views (reshape/view and the slicing views share storage with their base): the tensor viewed, and
  // the base's `history` when this view's grad_fn was last derived from it. `history` counts the
  // in-place ops that gave this tensor a new grad_fn; a view whose base moved on is re-derived before
  // use (autodiff/node.h).
  std::shared_ptr<TensorImpl> view_base;
  std::uint32_t history = 0;
  std::uint32_t base_history_seen = 0;
  bool retains_grad = false;        // retain_grad(): a non-leaf keeps its .grad after backward
  bool warned_grad_access = false;  // grad() on a non-leaf warned once
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Uninitialised contiguous tensor; the factories in framework/factories.h are the public way in.
  static Tensor empty(const Shape& shape, DType dtype = float32);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return checked().shape; }
  DType dtype() const { return checked().dtype; }
  Device device() const { return {}; }
  std::int64_t numel() const { return shape().numel(); }
  std::int64_t dim() const { return shape().dim(); }
  std::int64_t size(std::int64_t d) const { return shape()[d]; }
  // Element strides (row-major ones for a contiguous tensor) and the first element's position in the
  // storage, as PyTorch's stride() and storage_offset().
  Shape::Dims strides() const;
  std::int64_t storage_offset() const { return checked().offset; }
  // Whether the elements lie in row-major order without gaps (false for a strided view).
  bool is_contiguous() const;

  // Pointer to the first element of a contiguous tensor, for kernels that walk it in row-major order.
  // Throws ValueError when T does not match dtype() and RuntimeError on a strided view (call
  // contiguous() first).
  template <typename T>
  T* data() const;
  // Pointer to element (0, ..., 0) of any tensor, strided or not: element (i₀, i₁, ...) is at
  // Σ i_d · strides()[d] from it. For kernels that walk strides (layout.h's copies).
  template <typename T>
  T* strided_data() const;
  // Copies the elements out in row-major order.
  template <typename T>
  std::vector<T> to_vector() const;
  // The value of a one-element tensor, converted to T.
  template <typename T = double>
  T item() const;

  // ---- autograd metadata ----
  bool requires_grad() const { return checked().requires_grad; }
  // Marks a leaf as requiring gradients. Throws RuntimeError on a non-leaf.
  Tensor& requires_grad_(bool requires_grad = true);
  bool is_leaf() const { return checked().grad_fn == nullptr; }
  // Accumulated gradient (undefined until a backward pass reaches this leaf). On a non-leaf it is
  // undefined unless retain_grad() was called, and the first such access warns on stderr, as
  // PyTorch's warning does.
  Tensor grad() const;
  // A non-leaf keeps its gradient in grad() after backward (no effect on a leaf).
  Tensor& retain_grad();
  bool retains_grad() const { return checked().retains_grad; }
  // The storage's write count: every in-place write (copy_, fill_, add_, an optimizer step, ...)
  // bumps it, and views and detach() share it. A backward whose saved tensor moved on raises.
  std::uint64_t _version() const { return checked().storage->version(); }
  // For code that writes through data<T>() directly (kernels, optimizers): counts one write.
  void bump_version() const { checked().storage->bump_version(); }
  void set_grad(const Tensor& grad) const;
  const std::shared_ptr<autograd::Node>& grad_fn() const { return checked().grad_fn; }
  // Registers hook(grad), run during backward on the gradient flowing into this tensor (leaf or
  // non-leaf; it must require grad, else RuntimeError). A returned tensor replaces the gradient.
  // remove() on the returned handle detaches it. Semantics in autodiff/hooks.h (defined there).
  autograd::RemovableHandle register_hook(std::function<std::optional<Tensor>(const Tensor& grad)> hook) const;

  // Runs the reverse pass from this tensor. Without `grad` the tensor must have one element
  // (implicit gradient 1). The graph is freed unless retain_graph; create_graph records the
  // backward computation itself so it can be differentiated again.
  void backward(const Tensor& grad = {}, bool retain_graph = false, bool create_graph = false) const;

  // A new tensor sharing storage with this one, outside the graph.
  Tensor detach() const;
  // A copy with its own storage (differentiable).
  Tensor clone() const;
  // Converts the dtype (differentiable); returns *this when the dtype already matches.
  Tensor to(DType dtype) const;

  // ---- differentiable ops (see autodiff/ops.h for the free-function forms) ----
  Tensor sum() const;
  Tensor sum(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  // One-dimension forms, x.sum(1), x.mean(1, true); templates, so x.sum({1}) and x.sum({}) keep meaning
  // the dims-list forms above.
  template <std::integral I>
  Tensor sum(I dim, bool keepdim = false) const {
    return sum(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
  }
  template <std::integral I>
  Tensor mean(I dim, bool keepdim = false) const {
    return mean(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
  }
  // Reductions with PyTorch's semantics (autodiff/ops.h): amax/amin split the gradient among ties,
  // max(dim)/min(dim) return (values, int64 indices), var/std take PyTorch's correction.
  Tensor amax(const std::vector<std::int64_t>& dims = {}, bool keepdim = false) const;
  Tensor amin(const std::vector<std::int64_t>& dims = {}, bool keepdim = false) const;
  Tensor max() const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> max(std::int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> min(std::int64_t dim, bool keepdim = false) const;
  Tensor logsumexp(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  Tensor softmax(std::int64_t dim) const;
  Tensor log_softmax(std::int64_t dim) const;
  Tensor var(const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false) const;
  Tensor std(const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false) const;
  Tensor norm() const;
  Tensor norm(double p, const std::vector<std::int64_t>& dims = {}, bool keepdim = false) const;
  Tensor cumsum(std::int64_t dim) const;
  Tensor prod(const std::vector<std::int64_t>& dims = {}, bool keepdim = false) const;
  // Same data, new shape; one dimension may be -1 (inferred). Shares storage.
  Tensor reshape(IntList shape) const;
  Tensor view(IntList shape) const { return reshape(shape); }
  Tensor permute(IntList dims) const;
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  // Slicing and size-1 dimensions (autodiff/ops.h explains each; slices copy for now).
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const;
  Tensor select(std::int64_t dim, std::int64_t index) const;
  Tensor slice(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step = 1) const;
  std::vector<Tensor> split(std::int64_t split_size, std::int64_t dim = 0) const;
  std::vector<Tensor> chunk(std::int64_t chunks, std::int64_t dim = 0) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor squeeze(std::int64_t dim) const;
  Tensor squeeze() const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1) const;
  Tensor t() const;
  // x.index({0, Slice(1, None), None, Ellipsis, mask}), x.index_put_({mask}, 0.0): LibTorch's forms
  // (framework/indexing.h; autodiff/ops.h says which views and which copy).
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  Tensor index(const std::vector<indexing::TensorIndex>& indices) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& values);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, double value);
  Tensor& index_put_(const std::vector<indexing::TensorIndex>& indices, const Tensor& values);
  Tensor& index_put_(const std::vector<indexing::TensorIndex>& indices, double value);
  // *this when contiguous, else a contiguous copy (differentiable).
  Tensor contiguous() const;
  Tensor matmul(const Tensor& other) const;
  Tensor pow(double exponent) const;
  Tensor clamp(double min, double max) const;
  Tensor clamp_min(double min) const;
  Tensor clamp_max(double max) const;
  // value where mask > ½ (a 0/1 mask of any dtype, broadcast with this tensor), else this tensor's value.
  Tensor masked_fill(const Tensor& mask, double value) const;
  Tensor hardtanh(double min_val = -1.0, double max_val = 1.0) const;
  Tensor softplus(double beta = 1.0, double threshold = 20.0) const;
  Tensor leaky_relu(double negative_slope = 0.01) const;
  Tensor elu(double alpha = 1.0) const;
  // x.exp(), x.silu(), ...: one per line of framework/kernels/unary_ops.inc (the free functions' forms).
#define LUCID_UNARY_OP(name, Name, group, ...) Tensor name() const;
#include "framework/kernels/unary_ops.inc"
  // Comparisons: 0/1 masks (float dtype; see autodiff/ops.h), also as the operators == != < <= > >=.
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  // int64 positions of the extremes (over all elements without dim); indexing by int64 tensors.
  Tensor argmax() const;
  Tensor argmax(std::int64_t dim, bool keepdim = false) const;
  Tensor argmin() const;
  Tensor argmin(std::int64_t dim, bool keepdim = false) const;
  Tensor index_select(std::int64_t dim, const Tensor& index) const;
  Tensor gather(std::int64_t dim, const Tensor& index) const;

  // ---- in-place ops (autodiff/ops/inplace_ops.cc) ----
  // PyTorch's rules: in grad mode, writing into a leaf that requires grad (or a view of one) raises
  // RuntimeError; under no_grad it is allowed (optimizers, initialisers). On other tensors the op
  // is recorded: the tensor's grad_fn becomes the in-place op's node, and the gradient equals the
  // out-of-place op's. Each bumps _version(). `other` broadcasts to this tensor's shape and is
  // converted to its dtype.
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  // Copies src's values (broadcast to this shape, any dtype) into this tensor's storage.
  Tensor& copy_(const Tensor& src);
  Tensor& add_(const Tensor& other);
  Tensor& add_(double other);
  Tensor& sub_(const Tensor& other);
  Tensor& sub_(double other);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(double other);
  Tensor& clamp_(double min, double max);
  Tensor& relu_();
  Tensor& sigmoid_();
  Tensor& tanh_();
  Tensor& silu_();

  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  // The impl; ValueError for an undefined tensor. Inline: every accessor goes through it.
  const TensorImpl& checked() const {
    if (!impl_) throw_undefined();
    return *impl_;
  }
  [[noreturn]] static void throw_undefined();
  [[noreturn]] void throw_strided_data_access() const;
  // A contiguous copy outside the graph (to_vector of a strided view).
  Tensor dense_copy() const;
  std::shared_ptr<TensorImpl> impl_;
};

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
// Comparisons (autodiff/ops.h: eq, ne, lt, le, gt, ge): 0/1 masks, not bools.
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, double b);
Tensor operator!=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);

// PyTorch-style printing: tensor([[ 1.0000, -2.5000], ...], dtype=float64, grad_fn=<MulBackward>).
std::ostream& operator<<(std::ostream& os, const Tensor& tensor);

// ---- template definitions ----

template <typename T>
T* Tensor::strided_data() const {
  const TensorImpl& impl = checked();
  if (impl.dtype != dtype_of<T>()) {
    throw ValueError(std::string("data<") + std::string(dtype_name(dtype_of<T>())) + ">() called on a " +
                     std::string(dtype_name(impl.dtype)) + " tensor");
  }
  return static_cast<T*>(impl.storage->data()) + impl.offset;
}

template <typename T>
T* Tensor::data() const {
  T* first = strided_data<T>();
  if (!impl_->strides.empty() && !is_contiguous()) throw_strided_data_access();
  return first;
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  const Tensor dense = is_contiguous() ? *this : dense_copy();
  return visit_any_dtype(dtype(), [&](auto tag) {
    using S = decltype(tag);
    const S* p = dense.data<S>();
    return std::vector<T>(p, p + numel());
  });
}

template <typename T>
T Tensor::item() const {
  if (numel() != 1) {
    throw ValueError("item() needs a tensor with one element, got shape " + shape().str());
  }
  return visit_any_dtype(dtype(), [&](auto tag) { return static_cast<T>(*strided_data<decltype(tag)>()); });
}

}  // namespace lucid
