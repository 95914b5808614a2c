// The extremes of a tensor: amax/amin over dims, max()/min() over all elements, and max/min along a
// dimension with their int64 indices. The gradients are built from differentiable ops on a constant
// mask, so they can be differentiated again.
#include <cmath>
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/reduce_dims.h"
#include "autodiff/saved_tensor.h"
#include "framework/factories.h"
#include "framework/kernels/reduce.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;
using autograd::TensorList;

namespace {

// ValueError unless every reduced dimension of x is non-empty (an extreme of nothing is undefined).
void check_nonempty_reduction(const char* op, const Tensor& x, const std::vector<bool>& mask) {
  for (std::size_t d = 0; d < mask.size(); ++d) {
    if (mask[d] && x.shape().dims()[d] == 0) {
      throw ValueError(std::string(op) + ": dimension " + std::to_string(d) + " of shape " + x.shape().str() +
                       " is empty; there is no extreme to find");
    }
  }
}

// Which elements of x share in the gradient of `extreme` (keepdim shape): those equal to it; for max()
// and min() (`nan_takes_gradient`), the NaN elements when the extreme is NaN.
Tensor sharing_mask(const Tensor& x, const Tensor& extreme, bool nan_takes_gradient) {
  if (nan_takes_gradient && std::isnan(extreme.item<double>())) return ne(x, x);
  return eq(x, extreme);
}

// The largest / smallest element over the masked dims; the gradient g·mask/Σmask splits evenly among
// the elements sharing_mask marks (where none does, Σmask = 0 makes it NaN, as PyTorch's amax).
Tensor reduce_extreme(const char* op, const char* backward_name, const Tensor& x, const std::vector<bool>& mask,
                      bool keepdim, bool largest, bool nan_takes_gradient) {
  check_nonempty_reduction(op, x, mask);
  Tensor out = kernels::extreme_keepdim(x, mask, largest);
  const Shape keep_shape = out.shape();
  if (!keepdim) out.impl()->shape = ops_detail::drop_reduced(keep_shape, mask);  // fresh tensor: relabel in place
  record(backward_name, out, {&x},
         [saved_x = SavedTensor(x), saved_out = SavedTensor(out.detach()), keep_shape, mask, nan_takes_gradient](
             const Tensor& g, Node& node) {
           const Tensor& input = saved_x.unpack(node);
           const std::vector<std::int64_t> keep = ops_detail::as_vector(keep_shape);
           const Tensor share = sharing_mask(input, saved_out.unpack(node).reshape(keep), nan_takes_gradient);
           std::vector<std::int64_t> dims;
           for (std::size_t d = 0; d < mask.size(); ++d) {
             if (mask[d]) dims.push_back(static_cast<std::int64_t>(d));
           }
           return TensorList{share * (reshape(g, keep) / sum(share, dims, true))};
         });
  return out;
}

// (values, indices) along dim: the indices of argmax/argmin, the values gathered at them (so the
// gradient reaches the chosen element only).
std::tuple<Tensor, Tensor> extreme_along(const char* op, const Tensor& x, std::int64_t dim, bool keepdim, bool largest) {
  if (x.dim() == 0) {
    Shape({1}).normalize_dim(dim);  // a 0-d tensor takes dim 0 or -1, as in PyTorch
    return {clone(x), zeros({}, int64)};
  }
  const std::size_t d = x.shape().normalize_dim(dim);
  if (x.shape().dims()[d] == 0) check_nonempty_reduction(op, x, ops_detail::reduce_mask(x.shape(), {dim}));
  const Tensor indices = largest ? argmax(x, dim, true) : argmin(x, dim, true);
  const Tensor values = gather(x, static_cast<std::int64_t>(d), indices);
  if (keepdim) return {values, indices};
  Shape::Dims kept = x.shape().dims();
  kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(d));
  const std::vector<std::int64_t> dropped(kept.begin(), kept.end());
  return {reshape(values, dropped), indices.reshape(dropped)};
}

}  // namespace

Tensor amax(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  return reduce_extreme("amax", "AmaxBackward", x, ops_detail::reduce_mask(x.shape(), dims), keepdim, true, false);
}
Tensor amin(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  return reduce_extreme("amin", "AminBackward", x, ops_detail::reduce_mask(x.shape(), dims), keepdim, false, false);
}
Tensor max(const Tensor& x) {
  return reduce_extreme("max", "MaxBackward", x, ops_detail::reduce_mask(x.shape(), {}), false, true, true);
}
Tensor min(const Tensor& x) {
  return reduce_extreme("min", "MinBackward", x, ops_detail::reduce_mask(x.shape(), {}), false, false, true);
}
std::tuple<Tensor, Tensor> max(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extreme_along("max", x, dim, keepdim, true);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extreme_along("min", x, dim, keepdim, false);
}

}  // namespace lucid
