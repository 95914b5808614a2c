// Ops that change how the data is indexed: reshape (shares storage), permute/transpose (copy),
// clone and dtype conversion.
#include <limits>
#include <numeric>
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/strided_views.h"
#include "framework/kernels/layout.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::TensorList;

namespace {

std::string dims_str(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// Resolves one -1 entry of `requested` so that the shape has `numel` elements.
Shape infer_shape(const Shape& from, const std::vector<std::int64_t>& requested) {
  Shape::Dims dims(requested.begin(), requested.end());
  std::int64_t known = 1;
  int inferred = -1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (inferred >= 0) throw ValueError("reshape: only one dimension can be -1, got " + dims_str(requested));
      inferred = static_cast<int>(i);
    } else if (dims[i] < 0) {
      throw ValueError("reshape: invalid size " + std::to_string(dims[i]) + " in " + dims_str(requested));
    } else if (dims[i] != 0 && known > std::numeric_limits<std::int64_t>::max() / dims[i]) {
      throw ValueError("reshape: sizes " + dims_str(requested) + " have more elements than int64 can count");
    } else {
      known *= dims[i];
    }
  }
  const std::int64_t numel = from.numel();
  if (inferred >= 0) {
    if (known == 0 || numel % known != 0) {
      throw ValueError("reshape: cannot reshape tensor of shape " + from.str() + " (" + std::to_string(numel) +
                       " elements) into " + dims_str(requested));
    }
    dims[static_cast<std::size_t>(inferred)] = numel / known;
  } else if (known != numel) {
    throw ValueError("reshape: cannot reshape tensor of shape " + from.str() + " (" + std::to_string(numel) +
                     " elements) into " + dims_str(requested) + " (" + std::to_string(known) + " elements)");
  }
  return Shape(dims);
}

}  // namespace

// A view with a new shape (shares storage); d = g reshaped back. A strided view is copied first (its
// elements are not in row-major order), as PyTorch's reshape does where no view can express it.
Tensor reshape(const Tensor& x, IntList shape) {
  const Shape new_shape = infer_shape(x.shape(), shape.vec());
  if (!x.is_contiguous()) return reshape(clone(x), shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = x.impl()->storage;
  impl->offset = x.impl()->offset;
  impl->shape = new_shape;
  impl->dtype = x.dtype();
  // The view remembers its base (a view's view, the base's) for in-place ops (inplace_ops.cc).
  impl->view_base = x.impl()->view_base ? x.impl()->view_base : x.impl();
  impl->base_history_seen = impl->view_base->history;
  Tensor out(std::move(impl));
  record("ReshapeBackward", out, {&x}, [x_shape = x.shape()](const Tensor& g, Node&) {
    return TensorList{reshape(g, x_shape)};
  });
  return out;
}

// out dim j = x dim dims[j]: a view with x's sizes and strides reordered (strided_views.h).
Tensor permute(const Tensor& x, IntList dim_list) {
  const std::vector<std::int64_t> dims = dim_list.vec();
  if (dims.size() != x.shape().size()) {
    throw ValueError("permute: dims " + dims_str(dims) + " must list each of the " + std::to_string(x.dim()) +
                     " dimensions of shape " + x.shape().str() + " once");
  }
  std::vector<std::size_t> perm(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (std::size_t j = 0; j < dims.size(); ++j) {
    perm[j] = x.shape().normalize_dim(dims[j]);
    if (seen[perm[j]]) throw ValueError("permute: dimension " + std::to_string(dims[j]) + " repeats in " + dims_str(dims));
    seen[perm[j]] = true;
  }
  kernels::StridedPlacement p = kernels::placement_of(x);
  Shape::Dims sizes(perm.size()), strides(perm.size());
  for (std::size_t j = 0; j < perm.size(); ++j) {
    sizes[j] = x.shape().dims()[perm[j]];
    strides[j] = p.strides[perm[j]];
  }
  p.shape = Shape(std::move(sizes));
  p.strides = std::move(strides);
  return autograd::strided_view_of(x, p, "PermuteBackward");
}

Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1) {
  std::vector<std::int64_t> dims(x.shape().size());
  std::iota(dims.begin(), dims.end(), 0);
  std::swap(dims[x.shape().normalize_dim(dim0)], dims[x.shape().normalize_dim(dim1)]);
  return permute(x, dims);
}

// A copy with its own storage; d = g.
Tensor clone(const Tensor& x) {
  Tensor out = kernels::cast(x, x.dtype());
  record("CloneBackward", out, {&x}, [](const Tensor& g, Node&) { return TensorList{g}; });
  return out;
}

// x converted to dtype; d = g converted back. A conversion to int64 ends the graph there (integers
// have no gradient; PyTorch's .long() has no grad_fn either).
Tensor to_dtype(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  Tensor out = kernels::cast(x, dtype);
  if (!is_floating_point(dtype)) return out;
  record("ToCopyBackward", out, {&x}, [from = x.dtype()](const Tensor& g, Node&) {
    return TensorList{to_dtype(g, from)};
  });
  return out;
}

}  // namespace lucid
