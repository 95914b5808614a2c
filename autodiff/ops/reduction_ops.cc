// Sum and mean over all or some dimensions, and the two ops that undo each other's broadcasting:
// sum_to (reduce to a shape) and expand (broadcast to a shape).
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/reduce_dims.h"
#include "framework/kernels/layout.h"
#include "framework/kernels/reduce.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::TensorList;
using ops_detail::as_vector;
using ops_detail::drop_reduced;
using ops_detail::reduce_mask;

namespace {

// Σ over the masked dims; backward broadcasts g back to x's shape.
Tensor sum_masked(const Tensor& x, const std::vector<bool>& mask, bool keepdim) {
  Tensor out = kernels::sum_keepdim(x, mask);
  const Shape keep_shape = out.shape();
  if (!keepdim) out.impl()->shape = drop_reduced(keep_shape, mask);  // fresh tensor: relabel in place
  record("SumBackward", out, {&x}, [x_shape = x.shape(), keep_shape](const Tensor& g, Node&) {
    return TensorList{expand(reshape(g, as_vector(keep_shape)), x_shape)};
  });
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) { return sum_masked(x, reduce_mask(x.shape(), {}), false); }

Tensor sum(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  return sum_masked(x, reduce_mask(x.shape(), dims), keepdim);
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }

// mean = Σ / count of reduced elements
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  const std::vector<bool> mask = reduce_mask(x.shape(), dims);
  const std::int64_t count = ops_detail::reduced_count(x.shape(), mask);
  return sum_masked(x, mask, keepdim) * (1.0 / static_cast<double>(count));
}

// Σ over the leading dimensions x has beyond `shape`, and over dims where `shape` is 1.
Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (broadcast_shapes(x.shape(), shape) != x.shape()) {
    throw ValueError("sum_to: shape " + x.shape().str() + " is not a broadcast of " + shape.str());
  }
  const std::size_t lead = x.shape().size() - shape.size();
  std::vector<std::int64_t> dims;
  for (std::size_t i = 0; i < x.shape().size(); ++i) {
    if (i < lead || (shape.dims()[i - lead] == 1 && x.shape().dims()[i] != 1)) {
      dims.push_back(static_cast<std::int64_t>(i));
    }
  }
  return reshape(sum(x, dims, true), as_vector(shape));
}

// out = x broadcast to shape; d = sum_to(g, x.shape)
Tensor expand(const Tensor& x, const Shape& shape) {
  if (!broadcasts_to(x.shape(), shape)) throw ValueError("expand: shape " + x.shape().str() + " cannot be broadcast to " + shape.str());
  if (x.shape() == shape) return x;
  Tensor out = kernels::expand_copy(x, shape);
  record("ExpandBackward", out, {&x}, [x_shape = x.shape()](const Tensor& g, Node&) {
    return TensorList{sum_to(g, x_shape)};
  });
  return out;
}

}  // namespace lucid
