// var, std and norm, composed of differentiable ops; std and norm take their square root through
// sqrt_zero_gradient_at_zero, whose gradient is 0 (not NaN) where the root is 0, as PyTorch's.
#include <algorithm>

#include "autodiff/grad_mode.h"
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/reduce_dims.h"
#include "autodiff/saved_tensor.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;
using autograd::TensorList;

namespace {

// √v; d = g/(2√v) where √v ≠ 0, else 0 (recomputed from v with differentiable ops, so it can be
// differentiated again).
Tensor sqrt_zero_gradient_at_zero(const char* backward_name, const Tensor& v) {
  Tensor out;
  {
    autograd::no_grad guard;
    out = sqrt(v);
  }
  record(backward_name, out, {&v}, [saved = SavedTensor(v)](const Tensor& g, Node& node) {
    const Tensor root = sqrt(saved.unpack(node));
    return TensorList{where(eq(root, 0.0), 0.0, g / (root * 2.0))};
  });
  return out;
}

}  // namespace

// Σ(x − mean)²/max(0, N − correction); d = g·(x − mean)·2/max(0, N − correction) (PyTorch's formula, with
// differentiable ops: where x holds ±inf it gives ±inf, not the NaN of differentiating the composite).
Tensor var(const Tensor& x, const std::vector<std::int64_t>& dims, double correction, bool keepdim) {
  const std::vector<bool> mask = ops_detail::reduce_mask(x.shape(), dims);
  const double dof = std::max(0.0, static_cast<double>(ops_detail::reduced_count(x.shape(), mask)) - correction);
  Tensor out;
  {
    autograd::no_grad guard;
    const Tensor centered = x - mean(x, dims, true);
    out = sum(centered * centered, dims, keepdim) * (1.0 / dof);
  }
  Shape::Dims keep_dims = x.shape().dims();
  for (std::size_t d = 0; d < mask.size(); ++d) {
    if (mask[d]) keep_dims[d] = 1;
  }
  record("VarBackward", out, {&x}, [saved = SavedTensor(x), dims, keep = std::vector<std::int64_t>(keep_dims.begin(), keep_dims.end()), dof](const Tensor& g, Node& node) {
    const Tensor& input = saved.unpack(node);
    return TensorList{reshape(g, keep) * (input - mean(input, dims, true)) * (2.0 / dof)};
  });
  return out;
}

Tensor std(const Tensor& x, const std::vector<std::int64_t>& dims, double correction, bool keepdim) {
  return sqrt_zero_gradient_at_zero("StdBackward", var(x, dims, correction, keepdim));
}

// √Σx²
Tensor norm(const Tensor& x) { return sqrt_zero_gradient_at_zero("NormBackward", sum(x * x)); }

}  // namespace lucid
