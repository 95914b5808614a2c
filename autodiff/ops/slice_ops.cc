// Slicing and joining: the strided views narrow, select and slice (and chunk, split on narrow), the
// size-1 dimension views unsqueeze and squeeze, flatten, t (a transpose view), contiguous, and cat and
// stack (copies).
// The views' backwards are strided_views.h's restride, recorded, so higher derivatives work.
#include <algorithm>
#include <string>
#include <vector>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "autodiff/ops/strided_views.h"
#include "framework/kernels/layout.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::strided_view_of;
using autograd::TensorList;
using kernels::StridedPlacement;

namespace {

Shape with_size(const Shape& shape, std::size_t dim, std::int64_t size) {
  Shape::Dims dims = shape.dims();
  dims[dim] = size;
  return Shape(std::move(dims));
}

// x's placement with dimension dim cut to `size` elements from `start`, `step` apart.
StridedPlacement sliced(const Tensor& x, std::size_t dim, std::int64_t start, std::int64_t size, std::int64_t step) {
  StridedPlacement p = kernels::placement_of(x);
  p.offset += start * p.strides[dim];
  p.strides[dim] *= step;
  p.shape = with_size(p.shape, dim, size);
  return p;
}

// x's placement without dimension dim, fixed at `index`.
StridedPlacement selected(const Tensor& x, std::size_t dim, std::int64_t index) {
  StridedPlacement p = kernels::placement_of(x);
  p.offset += index * p.strides[dim];
  p.strides.erase(p.strides.begin() + static_cast<std::ptrdiff_t>(dim));
  Shape::Dims dims = p.shape.dims();
  dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(dim));
  p.shape = Shape(std::move(dims));
  return p;
}

}  // namespace

Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length) {
  ops_detail::check_defined("narrow", {&x});
  if (x.dim() == 0) throw ValueError("narrow: a 0-d tensor has no dimension to narrow");
  const std::size_t d = x.shape().normalize_dim(dim);
  const std::int64_t size = x.shape()[static_cast<std::int64_t>(d)];
  if (start < 0) start += size;  // PyTorch wraps a negative start once
  if (start < 0 || length < 0 || start > size || length > size - start) {
    throw ValueError("narrow: start (" + std::to_string(start) + ") and length (" + std::to_string(length) +
                     ") exceed dimension " + std::to_string(dim) + " of size " + std::to_string(size) + " in shape " +
                     x.shape().str());
  }
  return strided_view_of(x, sliced(x, d, start, length, 1), "NarrowBackward");
}

Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index) {
  ops_detail::check_defined("select", {&x});
  if (x.dim() == 0) throw ValueError("select: a 0-d tensor has no dimension to select from");
  const std::size_t d = x.shape().normalize_dim(dim);
  const std::int64_t size = x.shape()[static_cast<std::int64_t>(d)];
  if (index < -size || index >= size) {
    throw ValueError("select: index " + std::to_string(index) + " is out of range for dimension " +
                     std::to_string(dim) + " of size " + std::to_string(size) + " in shape " + x.shape().str());
  }
  return strided_view_of(x, selected(x, d, index < 0 ? index + size : index), "SelectBackward");
}

// PyTorch's slice: start and end clamped to [0, size] (negative ones counted from the end), step ≥ 1.
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step) {
  ops_detail::check_defined("slice", {&x});
  if (x.dim() == 0) throw ValueError("slice: a 0-d tensor has no dimension to slice");
  if (step < 1) throw ValueError("slice: step (" + std::to_string(step) + ") must be positive");
  const std::size_t d = x.shape().normalize_dim(dim);
  const std::int64_t size = x.shape()[static_cast<std::int64_t>(d)];
  const auto clamp_index = [size](std::int64_t i) { return std::clamp<std::int64_t>(i < 0 ? i + size : i, 0, size); };
  start = clamp_index(start);
  end = std::max(start, clamp_index(end));
  return strided_view_of(x, sliced(x, d, start, (end - start + step - 1) / step, step), "SliceBackward");
}

std::vector<Tensor> split(const Tensor& x, std::int64_t split_size, std::int64_t dim) {
  ops_detail::check_defined("split", {&x});
  if (split_size < 1) throw ValueError("split: split_size (" + std::to_string(split_size) + ") must be positive");
  const std::int64_t size = x.size(dim);
  std::vector<Tensor> parts;
  for (std::int64_t start = 0; start < size || (size == 0 && parts.empty()); start += split_size) {
    parts.push_back(narrow(x, dim, start, std::min(split_size, size - start)));
  }
  return parts;
}

// PyTorch's chunk: pieces of ⌈size / chunks⌉ (the last smaller), so there may be fewer than chunks.
std::vector<Tensor> chunk(const Tensor& x, std::int64_t chunks, std::int64_t dim) {
  ops_detail::check_defined("chunk", {&x});
  if (chunks < 1) throw ValueError("chunk: chunks (" + std::to_string(chunks) + ") must be positive");
  const std::int64_t size = x.size(dim);
  return split(x, std::max<std::int64_t>(1, (size + chunks - 1) / chunks), dim);
}

Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) throw ValueError("cat: expected a non-empty list of tensors");
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) throw ValueError("cat: tensor " + std::to_string(i) + " is undefined");
  }
  const Tensor& first = tensors[0];
  if (first.dim() == 0) throw ValueError("cat: zero-dimensional tensor 0 cannot be concatenated");
  const std::size_t d = first.shape().normalize_dim(dim);
  DType dtype = first.dtype();
  std::int64_t total = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() != first.dim() || with_size(t.shape(), d, 0) != with_size(first.shape(), d, 0)) {
      throw ValueError("cat: tensor " + std::to_string(i) + " of shape " + t.shape().str() + " does not match tensor 0 of shape " +
                       first.shape().str() + " outside dimension " + std::to_string(dim));
    }
    dtype = ops_detail::promote_types(dtype, t.dtype());
    total += t.shape()[static_cast<std::int64_t>(d)];
  }
  std::vector<Tensor> inputs;  // in the promoted dtype (differentiable casts)
  for (const Tensor& t : tensors) inputs.push_back(t.dtype() == dtype ? t : to_dtype(t, dtype));
  Tensor out = Tensor::empty(with_size(first.shape(), d, total), dtype);
  std::vector<std::int64_t> offsets;
  std::int64_t offset = 0;
  for (const Tensor& t : inputs) {
    offsets.push_back(offset);
    const std::int64_t size = t.shape()[static_cast<std::int64_t>(d)];
    kernels::copy_slices(t, 0, out, offset, d, size);
    offset += size;
  }
  std::vector<const Tensor*> pointers;
  for (const Tensor& t : inputs) pointers.push_back(&t);
  record("CatBackward", out, pointers, [d, offsets, total](const Tensor& g, Node&) {
    TensorList grads;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      const std::int64_t end = i + 1 < offsets.size() ? offsets[i + 1] : total;
      grads.push_back(narrow(g, static_cast<std::int64_t>(d), offsets[i], end - offsets[i]));
    }
    return grads;
  });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) throw ValueError("stack: expected a non-empty list of tensors");
  std::vector<Tensor> expanded;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) throw ValueError("stack: tensor " + std::to_string(i) + " is undefined");
    if (tensors[i].shape() != tensors[0].shape()) {
      throw ValueError("stack: tensor " + std::to_string(i) + " has shape " + tensors[i].shape().str() +
                       ", tensor 0 has " + tensors[0].shape().str() + " (stack needs equal shapes)");
    }
    expanded.push_back(unsqueeze(tensors[i], dim));
  }
  return cat(expanded, dim);
}

// A size-1 dimension inserted at dim (in [-(n + 1), n]): a view (its stride, as PyTorch's, is the
// next dimension's extent).
Tensor unsqueeze(const Tensor& x, std::int64_t dim) {
  ops_detail::check_defined("unsqueeze", {&x});
  const std::int64_t n = x.dim();
  if (dim < -(n + 1) || dim > n) {
    throw ValueError("unsqueeze: dimension " + std::to_string(dim) + " is out of range [" + std::to_string(-(n + 1)) +
                     ", " + std::to_string(n) + "] for shape " + x.shape().str());
  }
  if (dim < 0) dim += n + 1;
  StridedPlacement p = kernels::placement_of(x);
  const auto at = static_cast<std::size_t>(dim);
  const std::int64_t stride = at < p.strides.size() ? p.strides[at] * p.shape.dims()[at] : 1;
  p.strides.insert(p.strides.begin() + dim, stride);
  Shape::Dims dims = p.shape.dims();
  dims.insert(dims.begin() + dim, 1);
  p.shape = Shape(std::move(dims));
  return strided_view_of(x, p, "UnsqueezeBackward");
}

// Dimension dim removed if its size is 1 (else x unchanged, as PyTorch); without dim, every size-1 one.
Tensor squeeze(const Tensor& x, std::int64_t dim) {
  ops_detail::check_defined("squeeze", {&x});
  if (x.dim() == 0) return x;
  const std::size_t d = x.shape().normalize_dim(dim);
  if (x.shape()[static_cast<std::int64_t>(d)] != 1) return x;
  return strided_view_of(x, selected(x, d, 0), "SqueezeBackward");
}

Tensor squeeze(const Tensor& x) {
  ops_detail::check_defined("squeeze", {&x});
  StridedPlacement p = kernels::placement_of(x);
  Shape::Dims dims, strides;
  for (std::size_t d = 0; d < p.strides.size(); ++d) {
    if (p.shape.dims()[d] == 1) continue;
    dims.push_back(p.shape.dims()[d]);
    strides.push_back(p.strides[d]);
  }
  p.shape = Shape(std::move(dims));
  p.strides = std::move(strides);
  return strided_view_of(x, p, "SqueezeBackward");
}

// Dimensions start..end merged into one (a view of a contiguous x, as reshape).
Tensor flatten(const Tensor& x, std::int64_t start_dim, std::int64_t end_dim) {
  ops_detail::check_defined("flatten", {&x});
  if (x.dim() == 0) return reshape(x, {1});
  const std::size_t start = x.shape().normalize_dim(start_dim), end = x.shape().normalize_dim(end_dim);
  if (start > end) {
    throw ValueError("flatten: start_dim (" + std::to_string(start_dim) + ") comes after end_dim (" +
                     std::to_string(end_dim) + ") in shape " + x.shape().str());
  }
  Shape::Dims dims;
  std::int64_t merged = 1;
  for (std::size_t d = 0; d < x.shape().size(); ++d) {
    const std::int64_t size = x.shape()[static_cast<std::int64_t>(d)];
    if (d < start || d > end) {
      dims.push_back(size);
    } else {
      merged *= size;
      if (d == end) dims.push_back(merged);
    }
  }
  return reshape(x, IntList(dims.begin(), dims.end()));
}

// The transpose of a tensor of at most 2 dimensions (a view; 0-d and 1-d are returned as they are).
Tensor t(const Tensor& x) {
  ops_detail::check_defined("t", {&x});
  if (x.dim() > 2) throw ValueError("t: expects a tensor of at most 2 dimensions, got shape " + x.shape().str());
  return x.dim() < 2 ? x : transpose(x, 0, 1);
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : lucid::clone(*this); }

}  // namespace lucid
