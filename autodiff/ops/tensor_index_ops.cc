// x.index({...}) and x.index_put_({...}, values): LibTorch's torch::indexing (framework/indexing.h).
//
// The basic entries (integers, Slices, None, Ellipsis) become select / slice / unsqueeze views, left
// to right. The tensor entries that remain (int64 positions, 0/1 masks as their 1s' coordinates)
// follow PyTorch's advanced indexing: their position tensors broadcast to one shape B; the indexed
// dimensions are moved to the front and merged, each element of B becomes one flat position there,
// and index_select (index) or a row copy (index_put_) does the work. The result holds B's dimensions
// where the indexed ones were when those were adjacent, else in front, then the other dimensions.
#include <algorithm>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/saved_tensor.h"
#include "framework/factories.h"
#include "framework/indexing.h"
#include "framework/kernels/indexing.h"
#include "framework/kernels/layout.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;
using autograd::TensorList;
using indexing::TensorIndex;

namespace {

// A tensor entry left after the basic ones: int64 positions along dimension `dim` of the view.
struct PositionIndex {
  std::size_t dim;
  Tensor positions;
};

struct BasicIndexed {
  Tensor view;
  std::vector<PositionIndex> advanced;
};

std::string op_message(const char* op, const std::string& what) { return std::string(op) + ": " + what; }

// The dimensions an entry consumes: one for an integer, a Slice or an int64 tensor, a mask's rank.
std::int64_t consumed_dims(const TensorIndex& index) {
  if (index.is_integer() || index.is_slice()) return 1;
  if (index.is_tensor()) return is_floating_point(index.tensor().dtype()) ? index.tensor().dim() : 1;
  return 0;
}

BasicIndexed apply_basic(const char* op, const Tensor& x, std::span<const TensorIndex> indices) {
  if (!x.defined()) throw ValueError(op_message(op, "the indexed tensor is undefined"));
  std::int64_t consumed = 0, ellipses = 0;
  for (const TensorIndex& index : indices) {
    consumed += consumed_dims(index);
    ellipses += index.is_ellipsis() ? 1 : 0;
    if (index.is_tensor() && !index.tensor().defined()) throw ValueError(op_message(op, "an index tensor is undefined"));
  }
  if (ellipses > 1) throw ValueError(op_message(op, "an index can only have a single Ellipsis"));
  if (consumed > x.dim()) {
    throw ValueError(op_message(op, "too many indices for a tensor of shape " + x.shape().str() + ": " +
                                        std::to_string(consumed) + " dimensions indexed"));
  }
  BasicIndexed out{x, {}};
  Tensor& v = out.view;
  std::int64_t d = 0;  // the view's dimension the next entry indexes
  for (const TensorIndex& index : indices) {
    if (index.is_integer()) {
      const std::int64_t size = v.size(d), i = index.integer();
      if (i < -size || i >= size) {
        throw ValueError(op_message(op, "index " + std::to_string(i) + " is out of bounds for dimension " +
                                            std::to_string(d) + " with size " + std::to_string(size)));
      }
      v = select(v, d, i);
    } else if (index.is_slice()) {
      const indexing::Slice& s = index.slice();
      if (s.step() < 1) throw ValueError(op_message(op, "Slice step (" + std::to_string(s.step()) + ") must be positive"));
      v = slice(v, d, s.start().value_or(0), s.stop().value_or(std::numeric_limits<std::int64_t>::max()), s.step());
      ++d;
    } else if (index.is_none()) {
      v = unsqueeze(v, d);
      ++d;
    } else if (index.is_ellipsis()) {
      d += x.dim() - consumed;
    } else if (!is_floating_point(index.tensor().dtype())) {
      out.advanced.push_back({static_cast<std::size_t>(d), index.tensor()});
      ++d;
    } else {
      const Tensor& mask = index.tensor();
      const Shape covered(v.shape().begin() + d, v.shape().begin() + d + mask.dim());
      if (mask.shape() != covered) {
        throw ValueError(op_message(op, "the mask of shape " + mask.shape().str() + " does not match the indexed shape " +
                                            covered.str() + " at dimension " + std::to_string(d) + " of " +
                                            v.shape().str()));
      }
      const std::vector<Tensor> positions = kernels::mask_positions(op, mask);
      for (const Tensor& p : positions) out.advanced.push_back({static_cast<std::size_t>(d++), p});
    }
  }
  return out;
}

// How the advanced entries lay the view out: the view permuted (indexed dimensions first) and merged
// to (∏ indexed sizes, other sizes...), the flat positions (B's shape), and where B's dimensions go.
struct AdvancedPlan {
  std::vector<std::int64_t> permutation;  // indexed dims in entry order, then the others
  Shape merged;                           // (∏ indexed sizes, other sizes...)
  Shape broadcast;                        // B
  Tensor flat;                            // int64 of B's shape: positions in the merged dimension
  Shape::Dims others;                     // the other dimensions' sizes
  std::size_t insert_at = 0;              // where B's dimensions sit in the result
};

AdvancedPlan plan_advanced(const char* op, const Tensor& v, const std::vector<PositionIndex>& advanced) {
  AdvancedPlan plan;
  plan.broadcast = advanced[0].positions.shape();
  for (const PositionIndex& a : advanced) {
    if (a.positions.dtype() != int64) {
      throw ValueError(op_message(op, "index tensors must be int64 or a floating 0/1 mask"));
    }
    plan.broadcast = broadcast_shapes(plan.broadcast, a.positions.shape());
  }
  std::vector<bool> indexed(v.shape().size(), false);
  std::int64_t merged_size = 1;
  for (const PositionIndex& a : advanced) {
    plan.permutation.push_back(static_cast<std::int64_t>(a.dim));
    indexed[a.dim] = true;
    merged_size *= v.shape().dims()[a.dim];
  }
  for (std::size_t d = 0; d < indexed.size(); ++d) {
    if (indexed[d]) continue;
    plan.permutation.push_back(static_cast<std::int64_t>(d));
    plan.others.push_back(v.shape().dims()[d]);
  }
  Shape::Dims merged{merged_size};
  merged.insert(merged.end(), plan.others.begin(), plan.others.end());
  plan.merged = Shape(std::move(merged));
  const bool adjacent = std::adjacent_find(advanced.begin(), advanced.end(), [](const auto& a, const auto& b) {
                          return b.dim != a.dim + 1;
                        }) == advanced.end();
  plan.insert_at = adjacent ? advanced[0].dim : 0;

  // flat = Σ position_k · ∏_{j > k} size_j, each position wrapped once if negative and checked.
  plan.flat = zeros(plan.broadcast, int64);
  std::int64_t* flat = plan.flat.data<std::int64_t>();
  for (const PositionIndex& a : advanced) {
    const std::int64_t size = v.shape().dims()[a.dim];
    const Tensor p = kernels::expand_copy(a.positions, plan.broadcast);
    const std::int64_t* pp = p.data<std::int64_t>();
    for (std::int64_t i = 0, n = p.numel(); i < n; ++i) {
      if (pp[i] < -size || pp[i] >= size) {
        throw ValueError(op_message(op, "index " + std::to_string(pp[i]) + " is out of bounds for dimension " +
                                            std::to_string(a.dim) + " with size " + std::to_string(size)));
      }
      flat[i] = flat[i] * size + (pp[i] < 0 ? pp[i] + size : pp[i]);
    }
  }
  return plan;
}

// The result's dimension order from (B..., others...): B's dimensions moved to plan.insert_at.
std::vector<std::int64_t> result_order(const AdvancedPlan& plan) {
  const auto b = static_cast<std::int64_t>(plan.broadcast.size());
  const auto rest = static_cast<std::int64_t>(plan.others.size());
  std::vector<std::int64_t> order;
  const auto at = static_cast<std::int64_t>(plan.insert_at);
  for (std::int64_t j = 0; j < at; ++j) order.push_back(b + j);
  for (std::int64_t j = 0; j < b; ++j) order.push_back(j);
  for (std::int64_t j = at; j < rest; ++j) order.push_back(b + j);
  return order;
}

std::vector<std::int64_t> inverse(const std::vector<std::int64_t>& permutation) {
  std::vector<std::int64_t> inv(permutation.size());
  for (std::size_t j = 0; j < permutation.size(); ++j) inv[static_cast<std::size_t>(permutation[j])] = static_cast<std::int64_t>(j);
  return inv;
}

Shape unflattened(const AdvancedPlan& plan) {
  Shape::Dims dims(plan.broadcast.begin(), plan.broadcast.end());
  dims.insert(dims.end(), plan.others.begin(), plan.others.end());
  return Shape(std::move(dims));
}

// x with rows index[j] (dimension 0) replaced by src's rows j; d/dx = g with those rows zeroed (the
// same op with zero rows), d/dsrc = g's rows at index.
Tensor index_copy_rows(const Tensor& x, const Tensor& index, const Tensor& src) {
  Tensor out = kernels::index_copy_rows("index_put_", x, index, src);
  record("IndexPutBackward", out, {&x, &src}, [saved = SavedTensor(index), rows = src.shape()](const Tensor& g, Node& node) {
    const Tensor positions = saved.unpack(node);
    return TensorList{index_copy_rows(g, positions, zeros(rows, g.dtype())), index_select(g, 0, positions)};
  });
  return out;
}

}  // namespace

Tensor index(const Tensor& x, std::span<const TensorIndex> indices) {
  BasicIndexed basic = apply_basic("index", x, indices);
  if (basic.advanced.empty()) return basic.view;
  const AdvancedPlan plan = plan_advanced("index", basic.view, basic.advanced);
  const Tensor merged = reshape(permute(basic.view, plan.permutation), plan.merged);
  const Tensor picked = index_select(merged, 0, reshape(plan.flat, {-1}));
  return permute(reshape(picked, unflattened(plan)), result_order(plan));
}

Tensor& index_put_(Tensor& x, std::span<const TensorIndex> indices, const Tensor& values) {
  BasicIndexed basic = apply_basic("index_put_", x, indices);
  if (!values.defined()) throw ValueError("index_put_: the values tensor is undefined");
  if (basic.advanced.empty()) {
    basic.view.copy_(values);
    return x;
  }
  const AdvancedPlan plan = plan_advanced("index_put_", basic.view, basic.advanced);
  std::vector<std::int64_t> target_sizes;
  const Shape result_shape = unflattened(plan);
  for (std::int64_t j : result_order(plan)) target_sizes.push_back(result_shape[j]);
  const Shape target(target_sizes);
  if (!broadcasts_to(values.shape(), target)) {
    throw ValueError("index_put_: values of shape " + values.shape().str() + " do not broadcast to the indexed shape " +
                     target.str());
  }
  // The values in (B..., others...) order, one row per flat position, copied into the merged view.
  Shape::Dims row_dims{plan.flat.numel()};
  row_dims.insert(row_dims.end(), plan.others.begin(), plan.others.end());
  const Tensor rows = reshape(permute(expand(to_dtype(values, x.dtype()), target), inverse(result_order(plan))),
                              IntList(row_dims.begin(), row_dims.end()));
  const Tensor merged = reshape(permute(basic.view, plan.permutation), plan.merged);
  const Tensor updated = index_copy_rows(merged, reshape(plan.flat, {-1}), rows);
  Shape::Dims permuted_dims;
  for (std::int64_t d : plan.permutation) permuted_dims.push_back(basic.view.shape()[d]);
  basic.view.copy_(permute(reshape(updated, IntList(permuted_dims.begin(), permuted_dims.end())), inverse(plan.permutation)));
  return x;
}

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return lucid::index(*this, {indices.begin(), indices.size()});
}
Tensor Tensor::index(const std::vector<TensorIndex>& indices) const { return lucid::index(*this, indices); }
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& values) {
  return lucid::index_put_(*this, {indices.begin(), indices.size()}, values);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, double value) {
  return lucid::index_put_(*this, {indices.begin(), indices.size()}, full({}, value, dtype()));
}
Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& values) {
  return lucid::index_put_(*this, indices, values);
}
Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, double value) {
  return lucid::index_put_(*this, indices, full({}, value, dtype()));
}

}  // namespace lucid
