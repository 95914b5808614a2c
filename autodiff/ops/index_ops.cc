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

// index_select or gather with its adjoint: `read` takes x's values at the indices, `add_back` adds
// g into zeros of x's shape at the same places. Each one's backward is the other.
struct IndexedOp {
  const char* name;
  const char* backward_name;          // of read's node
  const char* add_back_backward_name;  // of add_back's node
  Tensor (*read)(const char* op, const Tensor& x, std::size_t dim, const Tensor& index);
  Tensor (*add_back)(const Tensor& g, std::size_t dim, const Tensor& index, const Shape& shape);
};
constexpr IndexedOp kIndexSelect{"index_select", "IndexSelectBackward", "IndexAddBackward", kernels::index_select,
                                 kernels::index_add_to_zeros};
constexpr IndexedOp kGather{"gather", "GatherBackward", "ScatterAddBackward", kernels::gather,
                            kernels::scatter_add_to_zeros};

Tensor add_back(const IndexedOp& op, const Tensor& g, std::size_t dim, const Tensor& index, const Shape& shape);

Tensor read(const IndexedOp& op, const Tensor& x, std::size_t dim, const Tensor& index) {
  Tensor out = op.read(op.name, x, dim, index);
  record(op.backward_name, out, {&x}, [&op, dim, saved = SavedTensor(index), shape = x.shape()](const Tensor& g, Node& node) {
    return TensorList{add_back(op, g, dim, saved.unpack(node), shape)};
  });
  return out;
}

Tensor add_back(const IndexedOp& op, const Tensor& g, std::size_t dim, const Tensor& index, const Shape& shape) {
  Tensor out = op.add_back(g, dim, index, shape);
  record(op.add_back_backward_name, out, {&g}, [&op, dim, saved = SavedTensor(index)](const Tensor& gg, Node& node) {
    return TensorList{read(op, gg, dim, saved.unpack(node))};
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
  return read(kIndexSelect, x, x.shape().normalize_dim(dim), index);
}

// out[i] = x[i with coordinate dim = index[i]]; d = scatter_add of g into zeros of x's shape.
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index) {
  return read(kGather, x, x.shape().normalize_dim(dim), index);
}

}  // namespace lucid
