// var, std and norm with PyTorch's gradients: var's (2/dof)·g·(x − mean), std and the 2-norm through
// sqrt_zero_gradient_at_zero (gradient 0, not NaN, where the root is 0), the other p-norms as PyTorch's
// vector_norm. Every backward is written with differentiable ops, so it can be differentiated again.
#include <algorithm>
#include <cmath>

#include "autodiff/grad_mode.h"
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/reduce_dims.h"
#include "autodiff/saved_tensor.h"
#include "framework/factories.h"

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
  record("VarBackward", out, {&x}, [saved = SavedTensor(x), dims, keep = ops_detail::keepdim_dims(x.shape(), mask), dof](const Tensor& g, Node& node) {
    const Tensor& input = saved.unpack(node);
    return TensorList{reshape(g, keep) * (input - mean(input, dims, true)) * (2.0 / dof)};
  });
  return out;
}

Tensor std(const Tensor& x, const std::vector<std::int64_t>& dims, double correction, bool keepdim) {
  return sqrt_zero_gradient_at_zero("StdBackward", var(x, dims, correction, keepdim));
}

namespace {

// The largest (p = inf) or smallest (p = −inf) |x|; d = sign(x)·g·m/Σm with m marking the elements whose |x|
// is the norm or NaN (PyTorch's: the gradient is split among ties, and a NaN norm gives 0, not NaN).
Tensor infinity_norm(const Tensor& x, bool largest, const std::vector<std::int64_t>& dims, bool keepdim) {
  const std::vector<bool> mask = ops_detail::reduce_mask(x.shape(), dims);
  Tensor out;
  {
    autograd::no_grad guard;
    out = largest ? amax(abs(x), dims, keepdim) : amin(abs(x), dims, keepdim);
  }
  record("NormBackward", out, {&x},
         [saved = SavedTensor(x), saved_out = SavedTensor(out.detach()), dims, keep = ops_detail::keepdim_dims(x.shape(), mask)](
             const Tensor& g, Node& node) {
           const Tensor& input = saved.unpack(node);
           const Tensor magnitude = abs(input);
           const Tensor share = eq(magnitude, saved_out.unpack(node).reshape(keep)) + ne(magnitude, magnitude);
           return TensorList{sign(input) * share * (reshape(g, keep) / sum(share, dims, true))};
         });
  return out;
}

// (Σ|x|ᵖ)^(1/p), or for p = 0 the count of nonzero elements (NaN counts); d = s(x)·g/‖x‖^(p−1), 0 where
// ‖x‖ = 0, with s(x) = sign(x)·|x|^(p−1) (0 at x = 0) for p < 2 and x·|x|^(p−2) above (PyTorch's forms);
// d = 0 for p = 0.
Tensor power_norm(const Tensor& x, double p, const std::vector<std::int64_t>& dims, bool keepdim) {
  const std::vector<bool> mask = ops_detail::reduce_mask(x.shape(), dims);
  Tensor out;
  {
    autograd::no_grad guard;
    out = p == 0.0 ? sum(ne(x, 0.0), dims, keepdim) : pow(sum(pow(abs(x), p), dims, keepdim), 1.0 / p);
  }
  record("NormBackward", out, {&x}, [saved = SavedTensor(x), p, dims, keep = ops_detail::keepdim_dims(x.shape(), mask)](const Tensor& g, Node& node) {
    const Tensor& input = saved.unpack(node);
    if (p == 0.0) return TensorList{zeros_like(input)};
    const Tensor n = norm(input, p, dims, true);
    const Tensor scale = where(eq(n, 0.0), 0.0, reshape(g, keep) / pow(n, p - 1.0));
    const Tensor scaled = p < 2.0 ? where(eq(input, 0.0), 0.0, sign(input) * pow(abs(input), p - 1.0))
                                  : input * pow(abs(input), p - 2.0);
    return TensorList{scaled * scale};
  });
  return out;
}

}  // namespace

// √Σx²
Tensor norm(const Tensor& x) { return norm(x, 2.0); }

Tensor norm(const Tensor& x, double p, const std::vector<std::int64_t>& dims, bool keepdim) {
  if (std::isnan(p)) throw ValueError("norm: p (nan) must be a number (0, 1, 2, inf, -inf or any other order)");
  if (p == 2.0) return sqrt_zero_gradient_at_zero("NormBackward", sum(x * x, dims, keepdim));
  if (p == 1.0) return sum(abs(x), dims, keepdim);
  if (std::isinf(p)) return infinity_norm(x, p > 0, dims, keepdim);
  return power_norm(x, p, dims, keepdim);
}

}  // namespace lucid
