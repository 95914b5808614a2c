// group_norm: argument checks, the fused forward kernel, and the graph node whose backward runs the
// fused analytic backward kernel, or, when the backward is itself recorded (create_graph), the same
// formula written with differentiable ops so that higher derivatives work.
#include "modules/functional/group_norm.h"

#include <cmath>
#include <string>
#include <vector>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "framework/kernels/group_norm.h"
#include "modules/functional/format.h"

namespace lucid::nn::functional {
namespace {

using autograd::Node;
using autograd::TensorList;

void check_arguments(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  if (x.dim() < 2) {
    throw ValueError("group_norm: expected an input of shape (N, C, *) with at least 2 dimensions, got shape " +
                     x.shape().str());
  }
  const std::int64_t channels = x.size(1);
  detail::check_group_norm_config("group_norm", num_groups, channels, eps);
  auto check_affine = [&](const Tensor& t, const char* name) {
    if (!t.defined()) return;
    if (t.shape() != Shape{channels}) {
      throw ValueError(std::string("group_norm: ") + name + " of shape " + t.shape().str() +
                       " does not match num_channels (" + std::to_string(channels) + "): expected shape (" +
                       std::to_string(channels) + ",)");
    }
    if (t.dtype() != x.dtype()) {
      throw ValueError(std::string("group_norm: ") + name + " has dtype " + std::string(dtype_name(t.dtype())) +
                       " but the input has dtype " + std::string(dtype_name(x.dtype())));
    }
  };
  check_affine(weight, "weight");
  check_affine(bias, "bias");
}

// Shape (1, C, 1, ..., 1) of a per-channel tensor broadcast against x.
std::vector<std::int64_t> channel_view(const Tensor& x) {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
  shape[1] = x.size(1);
  return shape;
}

// Σ over every dimension but the channel one: (N, C, *) → (C,).
Tensor sum_per_channel(const Tensor& t) {
  std::vector<std::int64_t> dims{0};
  for (std::int64_t d = 2; d < t.dim(); ++d) dims.push_back(d);
  return t.sum(dims);
}

// The backward as differentiable ops (for create_graph). With x̂ = (x − μ)·rstd per group and
// d = g·γ: dx = rstd·(d − mean(d) − x̂·mean(d·x̂)), dγ = Σ g·x̂, dβ = Σ g.
TensorList composite_backward(const Tensor& g, const Tensor& x, std::int64_t groups, const Tensor& weight,
                              double eps, const Node& node) {
  const std::vector<std::int64_t> grouped{x.size(0), groups, -1};
  const Tensor xg = x.reshape(grouped);
  const Tensor centered = xg - xg.mean({2}, true);
  const Tensor rstd = rsqrt(centered.pow(2.0).mean({2}, true) + eps);
  const Tensor xhat = centered * rstd;
  TensorList grads(3);
  if (node.needs_input_grad(0)) {
    const Tensor d = (weight.defined() ? g * weight.reshape(channel_view(x)) : g).reshape(grouped);
    const Tensor dx = rstd * (d - d.mean({2}, true) - xhat * (d * xhat).mean({2}, true));
    grads[0] = dx.reshape({x.shape().begin(), x.shape().end()});
  }
  if (node.needs_input_grad(1)) grads[1] = sum_per_channel(g * xhat.reshape({x.shape().begin(), x.shape().end()}));
  if (node.needs_input_grad(2)) grads[2] = sum_per_channel(g);
  return grads;
}

// The fused analytic backward (framework/kernels/group_norm.h).
template <typename T>
TensorList fused_backward(const Tensor& g, const Tensor& x, std::int64_t groups, const Tensor& weight,
                          const Tensor& mean, const Tensor& rstd, const Node& node) {
  const auto n = static_cast<std::size_t>(x.size(0)), c = static_cast<std::size_t>(x.size(1));
  const auto spatial = static_cast<std::size_t>(x.numel()) / std::max<std::size_t>(n * c, 1);
  Tensor dx = node.needs_input_grad(0) ? Tensor::empty(x.shape(), x.dtype()) : Tensor();
  std::vector<double> sum_dy(n * c), sum_dy_xhat(n * c);
  kernels::group_norm_backward(kernels::GroupNormBackwardArgs<T>{
      g.data<T>(), x.data<T>(), weight.defined() ? weight.data<T>() : nullptr, mean.data<double>(),
      rstd.data<double>(), dx.defined() ? dx.data<T>() : nullptr, sum_dy.data(), sum_dy_xhat.data(), n, c,
      static_cast<std::size_t>(groups), spatial});
  TensorList grads{dx, Tensor(), Tensor()};
  // dγ_c = Σ_n Σ dy·x̂, dβ_c = Σ_n Σ dy, summed over n in order (deterministic).
  auto per_channel = [&](const std::vector<double>& partial) {
    Tensor out = Tensor::empty({static_cast<std::int64_t>(c)}, x.dtype());
    for (std::size_t ch = 0; ch < c; ++ch) {
      double total = 0.0;
      for (std::size_t b = 0; b < n; ++b) total += partial[b * c + ch];
      out.data<T>()[ch] = static_cast<T>(total);
    }
    return out;
  };
  if (node.needs_input_grad(1)) grads[1] = per_channel(sum_dy_xhat);
  if (node.needs_input_grad(2)) grads[2] = per_channel(sum_dy);
  return grads;
}

}  // namespace

namespace detail {

void check_group_norm_config(const char* op, std::int64_t num_groups, std::int64_t num_channels, double eps) {
  const std::string prefix = std::string(op) + ": ";
  if (num_groups <= 0) throw ValueError(prefix + "num_groups (" + std::to_string(num_groups) + ") must be positive");
  if (num_channels <= 0) {
    throw ValueError(prefix + "num_channels (" + std::to_string(num_channels) + ") must be positive");
  }
  if (num_channels % num_groups != 0) {
    throw ValueError(prefix + "num_channels (" + std::to_string(num_channels) + ") must be divisible by num_groups (" +
                     std::to_string(num_groups) + ")");
  }
  if (!(eps >= 0.0)) throw ValueError(prefix + "eps (" + python_float(eps) + ") must be non-negative");  // also NaN
}

}  // namespace detail

Tensor group_norm(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  check_arguments(x, num_groups, weight, bias, eps);
  const auto n = static_cast<std::size_t>(x.size(0)), c = static_cast<std::size_t>(x.size(1));
  const auto groups = static_cast<std::size_t>(num_groups);
  const auto spatial = static_cast<std::size_t>(x.numel()) / std::max<std::size_t>(n * c, 1);
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  Tensor mean = Tensor::empty({x.size(0), num_groups}, float64);
  Tensor rstd = Tensor::empty({x.size(0), num_groups}, float64);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::group_norm_forward(kernels::GroupNormForwardArgs<T>{
        x.data<T>(), weight.defined() ? weight.data<T>() : nullptr, bias.defined() ? bias.data<T>() : nullptr,
        y.data<T>(), mean.data<double>(), rstd.data<double>(), n, c, groups, spatial, eps});
  });
  autograd::record("GroupNormBackward", y, {&x, &weight, &bias},
                   [saved_x = autograd::SavedTensor(x), num_groups, saved_weight = autograd::SavedTensor(weight), eps,
                    mean, rstd](const Tensor& g, Node& node) {
                     const Tensor& input = saved_x.unpack(node);
                     const Tensor& gamma = saved_weight.unpack(node);
                     if (autograd::is_grad_enabled()) return composite_backward(g, input, num_groups, gamma, eps, node);
                     return visit_dtype(input.dtype(), [&](auto tag) {
                       return fused_backward<decltype(tag)>(g, input, num_groups, gamma, mean, rstd, node);
                     });
                   });
  return y;
}

}  // namespace lucid::nn::functional
