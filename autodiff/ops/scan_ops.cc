// cumsum and prod. cumsum's backward is the reverse running sum, and that one's is cumsum, so each is
// recorded as the other's forward. prod's gradient is g·Π of the other elements of the slice, formed
// from prefix and suffix products without dividing, so zeros in the input are exact.
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/reduce_dims.h"
#include "autodiff/saved_tensor.h"
#include "framework/factories.h"
#include "framework/kernels/reduce.h"
#include "framework/kernels/scan.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;
using autograd::TensorList;

namespace {

// Σ_{k ≤ j} along dim (reverse: k ≥ j); d = the running sum in the other direction.
Tensor running_sum(const Tensor& x, std::size_t dim, bool reverse) {
  Tensor out = kernels::cumsum(x, dim, reverse);
  record(reverse ? "ReverseCumsumBackward" : "CumsumBackward", out, {&x}, [dim, reverse](const Tensor& g, Node&) {
    return TensorList{running_sum(g, dim, !reverse)};
  });
  return out;
}

// For x of shape (R, K): out[r, i] = Π_{k ≠ i} x[r, k]. Its derivative ∂out[r, i]/∂x[r, j] is
// Π_{k ∉ {i, j}} x[r, k] for j ≠ i (0 for j = i), the products of others of row x[r] with x[r, i] set
// to 1: d[r, j] = Σ_{i ≠ j} g[r, i]·Π_{k ∉ {i, j}} x[r, k], through an (R, K, K) tensor (only second and
// higher derivatives take this path).
Tensor others_product(const Tensor& x) {
  Tensor out = kernels::products_of_others(x);
  record("ProdOthersBackward", out, {&x}, [saved = SavedTensor(x)](const Tensor& g, Node& node) {
    const Tensor& input = saved.unpack(node);
    const std::int64_t rows = input.size(0), k = input.size(1);
    Tensor diagonal = zeros({k, k}, input.dtype());
    visit_dtype(input.dtype(), [&](auto tag) {
      using T = decltype(tag);
      for (std::int64_t i = 0; i < k; ++i) diagonal.data<T>()[i * k + i] = T(1);
    });
    const Tensor with_one = where(diagonal, 1.0, reshape(input, {rows, 1, k}));  // x[r] with x[r, i] = 1
    const Tensor partial = reshape(others_product(reshape(with_one, {rows * k, k})), {rows, k, k});
    return TensorList{sum(where(diagonal, 0.0, partial) * reshape(g, {rows, k, 1}), {1})};
  });
  return out;
}

}  // namespace

Tensor cumsum(const Tensor& x, std::int64_t dim) {
  if (x.dim() == 0) {
    Shape({1}).normalize_dim(dim);  // a 0-d tensor takes dim 0 or -1, as in PyTorch
    return clone(x);
  }
  return running_sum(x, x.shape().normalize_dim(dim), false);
}

// Π over the masked dims; d = g·Π of the others, with the reduced dims moved last and flattened into
// rows of K elements.
Tensor prod(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  const std::vector<bool> mask = ops_detail::reduce_mask(x.shape(), dims);
  Tensor out = kernels::prod_keepdim(x, mask);
  const Shape keep_shape = out.shape();
  if (!keepdim) out.impl()->shape = ops_detail::drop_reduced(keep_shape, mask);  // fresh tensor: relabel in place
  record("ProdBackward", out, {&x}, [saved = SavedTensor(x), mask, keep_shape](const Tensor& g, Node& node) {
    const Tensor& input = saved.unpack(node);
    std::vector<std::int64_t> order;  // kept dims, then reduced ones
    for (std::size_t d = 0; d < mask.size(); ++d) {
      if (!mask[d]) order.push_back(static_cast<std::int64_t>(d));
    }
    for (std::size_t d = 0; d < mask.size(); ++d) {
      if (mask[d]) order.push_back(static_cast<std::int64_t>(d));
    }
    std::vector<std::int64_t> inverse(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) inverse[static_cast<std::size_t>(order[i])] = static_cast<std::int64_t>(i);
    const std::int64_t k = ops_detail::reduced_count(input.shape(), mask);
    const Tensor moved = permute(input, order);
    const std::int64_t rows = k == 0 ? 0 : moved.numel() / k;
    const Tensor others = reshape(others_product(reshape(moved, {rows, k})), ops_detail::as_vector(moved.shape()));
    return TensorList{expand(reshape(g, ops_detail::as_vector(keep_shape)), input.shape()) * permute(others, inverse)};
  });
  return out;
}

}  // namespace lucid
