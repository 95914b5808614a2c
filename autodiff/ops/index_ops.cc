// Ops driven by int64 indices: argmax/argmin (which produce them; not differentiable) and
// index_select/gather (which consume them). The backward of index_select is index_add and that of
// gather is scatter_add; each pair are adjoint linear maps, so each backward is recorded as the
// other op's forward and higher derivatives keep working.
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/saved_tensor.h"
#include "framework/factories.h"
#include "framework/kernels/indexing.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;
using autograd::TensorList;

namespace {

Tensor arg_extreme(const char* op, const Tensor& x, std::int64_t dim, bool keepdim, bool largest) {
  if (x.dim() == 0) {
    Shape({1}).normalize_dim(dim);  // a 0-d tensor takes dim 0 or -1, as in PyTorch
    return zeros({}, int64);
  }
  const std::size_t d = x.shape().normalize_dim(dim);
  Tensor out = kernels::arg_extreme(op, x, d, largest);
  if (!keepdim) return out;
  Shape::Dims kept = x.shape().dims();
  kept[d] = 1;
  return out.reshape({kept.begin(), kept.end()});
}

Tensor arg_extreme_all(const char* op, const Tensor& x, bool largest) {
  return arg_extreme(op, reshape(x, {-1}), 0, false, largest);
}

// out of `shape`: zeros plus g added at the rows index selected (index_select's adjoint).
Tensor index_add_to_zeros(const Tensor& g, std::size_t dim, const Tensor& index, const Shape& shape) {
  Tensor out = kernels::index_add_to_zeros(g, dim, index, shape);
  record("IndexAddBackward", out, {&g}, [dim, saved = SavedTensor(index)](const Tensor& gg, Node& node) {
    return TensorList{index_select(gg, static_cast<std::int64_t>(dim), saved.unpack(node))};
  });
  return out;
}

// out of `shape`: zeros plus g added where index points (gather's adjoint).
Tensor scatter_add_to_zeros(const Tensor& g, std::size_t dim, const Tensor& index, const Shape& shape) {
  Tensor out = kernels::scatter_add_to_zeros(g, dim, index, shape);
  record("ScatterAddBackward", out, {&g}, [dim, saved = SavedTensor(index)](const Tensor& gg, Node& node) {
    return TensorList{gather(gg, static_cast<std::int64_t>(dim), saved.unpack(node))};
  });
  return out;
}

}  // namespace

Tensor argmax(const Tensor& x) { return arg_extreme_all("argmax", x, true); }
Tensor argmin(const Tensor& x) { return arg_extreme_all("argmin", x, false); }
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim) { return arg_extreme("argmax", x, dim, keepdim, true); }
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim) { return arg_extreme("argmin", x, dim, keepdim, false); }

// out[a, j, b] = x[a, index[j], b]; d = index_add of g into zeros of x's shape.
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index) {
  const std::size_t d = x.shape().normalize_dim(dim);
  Tensor out = kernels::index_select("index_select", x, d, index);
  record("IndexSelectBackward", out, {&x}, [d, saved = SavedTensor(index), shape = x.shape()](const Tensor& g, Node& node) {
    return TensorList{index_add_to_zeros(g, d, saved.unpack(node), shape)};
  });
  return out;
}

// out[i] = x[i with coordinate dim = index[i]]; d = scatter_add of g into zeros of x's shape.
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index) {
  const std::size_t d = x.shape().normalize_dim(dim);
  Tensor out = kernels::gather("gather", x, d, index);
  record("GatherBackward", out, {&x}, [d, saved = SavedTensor(index), shape = x.shape()](const Tensor& g, Node& node) {
    return TensorList{scatter_add_to_zeros(g, d, saved.unpack(node), shape)};
  });
  return out;
}

}  // namespace lucid
