// Slicing and joining: narrow (and select, slice, chunk, split on it), cat and stack, and the size-1
// dimension helpers (unsqueeze, squeeze, flatten, t, contiguous). narrow and cat copy (lucid's views
// are whole-tensor reshapes; strided views are not there yet); their backwards are each other's
// adjoint, recorded as ops, so higher derivatives work.
#include <algorithm>
#include <string>
#include <vector>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/kernels/layout.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::TensorList;

namespace {

Shape with_size(const Shape& shape, std::size_t dim, std::int64_t size) {
  Shape::Dims dims = shape.dims();
  dims[dim] = size;
  return Shape(std::move(dims));
}

// The adjoint of narrow: g placed at slices [start, start + g.size(dim)) of zeros of `shape`.
Tensor narrow_adjoint(const Tensor& g, const Shape& shape, std::size_t dim, std::int64_t start) {
  Tensor out = zeros(shape, g.dtype());
  kernels::copy_slices(g, 0, out, start, dim, g.shape()[static_cast<std::int64_t>(dim)]);
  const std::int64_t length = g.shape()[static_cast<std::int64_t>(dim)];
  record("NarrowAdjointBackward", out, {&g}, [dim, start, length](const Tensor& gg, Node&) {
    return TensorList{narrow(gg, static_cast<std::int64_t>(dim), start, length)};
  });
  return out;
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
  Tensor out = Tensor::empty(with_size(x.shape(), d, length), x.dtype());
  kernels::copy_slices(x, start, out, 0, d, length);
  record("NarrowBackward", out, {&x}, [x_shape = x.shape(), d, start](const Tensor& g, Node&) {
    return TensorList{narrow_adjoint(g, x_shape, d, start)};
  });
  return out;
}

Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index) {
  ops_detail::check_defined("select", {&x});
  if (x.dim() == 0) throw ValueError("select: a 0-d tensor has no dimension to select from");
  const std::int64_t size = x.size(dim);
  if (index < -size || index >= size) {
    throw ValueError("select: index " + std::to_string(index) + " is out of range for dimension " +
                     std::to_string(dim) + " of size " + std::to_string(size) + " in shape " + x.shape().str());
  }
  return squeeze(narrow(x, dim, index < 0 ? index + size : index, 1), dim);
}

// PyTorch's slice: start and end clamped to [0, size] (negative ones counted from the end), step ≥ 1.
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step) {
  ops_detail::check_defined("slice", {&x});
  if (step < 1) throw ValueError("slice: step (" + std::to_string(step) + ") must be positive");
  const std::int64_t size = x.size(dim);
  const auto clamp_index = [size](std::int64_t i) { return std::clamp<std::int64_t>(i < 0 ? i + size : i, 0, size); };
  start = clamp_index(start);
  end = std::max(start, clamp_index(end));
  if (step == 1) return narrow(x, dim, start, end - start);
  return index_select(x, dim, arange(static_cast<double>(start), static_cast<double>(end), static_cast<double>(step), int64));
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

// A size-1 dimension inserted at dim (in [-(n + 1), n]): a view.
Tensor unsqueeze(const Tensor& x, std::int64_t dim) {
  ops_detail::check_defined("unsqueeze", {&x});
  const std::int64_t n = x.dim();
  if (dim < -(n + 1) || dim > n) {
    throw ValueError("unsqueeze: dimension " + std::to_string(dim) + " is out of range [" + std::to_string(-(n + 1)) +
                     ", " + std::to_string(n) + "] for shape " + x.shape().str());
  }
  if (dim < 0) dim += n + 1;
  Shape::Dims dims = x.shape().dims();
  dims.insert(dims.begin() + dim, 1);
  return reshape(x, IntList(dims.begin(), dims.end()));
}

// Dimension dim removed if its size is 1 (else x unchanged, as PyTorch); without dim, every size-1 one.
Tensor squeeze(const Tensor& x, std::int64_t dim) {
  ops_detail::check_defined("squeeze", {&x});
  if (x.dim() == 0) return x;
  const std::size_t d = x.shape().normalize_dim(dim);
  if (x.shape()[static_cast<std::int64_t>(d)] != 1) return x;
  Shape::Dims dims = x.shape().dims();
  dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(d));
  return reshape(x, IntList(dims.begin(), dims.end()));
}

Tensor squeeze(const Tensor& x) {
  ops_detail::check_defined("squeeze", {&x});
  Shape::Dims dims;
  for (std::int64_t size : x.shape()) {
    if (size != 1) dims.push_back(size);
  }
  return reshape(x, IntList(dims.begin(), dims.end()));
}

// Dimensions start..end merged into one (a view).
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

// The transpose of a tensor of at most 2 dimensions (a copy; 0-d and 1-d are returned as they are).
Tensor t(const Tensor& x) {
  ops_detail::check_defined("t", {&x});
  if (x.dim() > 2) throw ValueError("t: expects a tensor of at most 2 dimensions, got shape " + x.shape().str());
  return x.dim() < 2 ? x : transpose(x, 0, 1);
}

}  // namespace lucid
