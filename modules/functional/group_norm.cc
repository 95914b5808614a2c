// group_norm: argument checks, the fused kernels' forward and backward for group_norm_with_epilogue,
// the same formulas written with differentiable ops for create_graph, and the dispatch of
// nn::Activation to the built-in epilogues.
#include "modules/functional/group_norm.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "autodiff/ops.h"
#include "modules/functional/format.h"
#include "modules/functional/kernel_args.h"
#include "modules/functional/group_norm_epilogue.h"

namespace lucid::nn::functional {
namespace {

// Σ over every dimension but the channel one: (N, C, *) → (C,).
Tensor sum_per_channel(const Tensor& t) {
  std::vector<std::int64_t> dims{0};
  for (std::int64_t d = 2; d < t.dim(); ++d) dims.push_back(d);
  return t.sum(dims);
}

std::vector<std::int64_t> shape_of(const Tensor& x) { return {x.shape().begin(), x.shape().end()}; }

// GroupNorm's kernel tables for the identity and nn::Activation's activations.
const detail::BuiltinEpilogues<kernels::GroupNormKernels>& builtin_tables() {
  static const detail::BuiltinEpilogues<kernels::GroupNormKernels> tables{
      kernels::GroupNorm_kernels,     kernels::GroupNormReLU_kernels,    kernels::GroupNormSiLU_kernels,
      kernels::GroupNormGELU_kernels, kernels::GroupNormSigmoid_kernels, kernels::GroupNormTanh_kernels};
  return tables;
}

// x̂ = (x − μ)·rstd per group, and rstd, both as (N, G, M) with differentiable ops.
struct GroupedNormalized {
  Tensor xhat, rstd;
};
GroupedNormalized normalize_groups(const Tensor& x, std::int64_t groups, double eps) {
  const Tensor xg = x.reshape({x.size(0), groups, -1});
  const Tensor centered = xg - xg.mean({2}, true);
  const Tensor rstd = rsqrt(centered.pow(2.0).mean({2}, true) + eps);
  return {centered * rstd, rstd};
}

}  // namespace

namespace detail {

std::vector<std::int64_t> channel_view(const Tensor& x) {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
  shape[1] = x.size(1);
  return shape;
}

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

void check_group_norm_arguments(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias,
                                double eps) {
  if (x.dim() < 2) {
    throw ValueError("group_norm: expected an input of shape (N, C, *) with at least 2 dimensions, got shape " +
                     x.shape().str());
  }
  const std::int64_t channels = x.size(1);
  check_group_norm_config("group_norm", num_groups, channels, eps);
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

Tensor group_norm_kernel_forward(const kernels::GroupNormKernels& kernels, const Tensor& x, std::int64_t num_groups,
                                 const Tensor& weight, const Tensor& bias, double eps,
                                 std::span<const double> activation_scalars, Tensor& statistics,
                                 MaxPoolArgmax* pool) {
  const ChannelDims d = channel_dims(x);
  Tensor y = pool ? Tensor::empty({x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2}, x.dtype())
                  : Tensor::empty(x.shape(), x.dtype());
  if (pool) {  // every entry is written by the kernel: uninitialised, recycled Storage
    *pool = {std::make_shared<Storage>(static_cast<std::size_t>(y.numel()) * sizeof(std::int32_t)),
             static_cast<std::size_t>(x.size(2)), static_cast<std::size_t>(x.size(3))};
  }
  statistics = Tensor::empty({3, x.size(0), num_groups}, float64);
  double* const stats = statistics.data<double>();
  const std::size_t items = d.n * static_cast<std::size_t>(num_groups);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> scalars(activation_scalars.begin(), activation_scalars.end());
    kernels::GroupNormForwardArgs<T> args{x.data<T>(), data_or_null<T>(weight), data_or_null<T>(bias),
                                          pool ? nullptr : y.data<T>(), stats, stats + items, stats + 2 * items,
                                          d.n, d.c, static_cast<std::size_t>(num_groups), d.spatial, eps,
                                          scalars.data()};
    if (pool) {
      args.pooled = y.data<T>();
      args.argmax = static_cast<std::int32_t*>(pool->indices->data());
      args.height = pool->height;
      args.width = pool->width;
    }
    kernels::group_norm_forward(kernels, args);
  });
  return y;
}

autograd::TensorList group_norm_kernel_backward(const kernels::GroupNormKernels& kernels, const Tensor& g,
                                                const Tensor& x, std::int64_t num_groups, const Tensor& weight,
                                                const Tensor& bias, const Tensor& statistics,
                                                std::span<const double> activation_scalars,
                                                const autograd::Node& node, const MaxPoolArgmax* pool) {
  const ChannelDims d = channel_dims(x);
  Tensor dx = node.needs_input_grad(0) ? Tensor::empty(x.shape(), x.dtype()) : Tensor();
  std::vector<double> sum_dy(d.n * d.c), sum_dy_xhat(d.n * d.c);
  const double* const stats = statistics.data<double>();
  const std::size_t items = d.n * static_cast<std::size_t>(num_groups);
  autograd::TensorList grads{dx, Tensor(), Tensor()};
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> scalars(activation_scalars.begin(), activation_scalars.end());
    kernels::GroupNormBackwardArgs<T> args{pool ? nullptr : g.data<T>(), x.data<T>(), data_or_null<T>(weight),
                                           data_or_null<T>(bias), stats, stats + items, stats + 2 * items,
                                           data_or_null<T>(dx), sum_dy.data(), sum_dy_xhat.data(), d.n, d.c,
                                           static_cast<std::size_t>(num_groups), d.spatial, scalars.data()};
    if (pool) {
      args.pooled_dy = g.data<T>();
      args.argmax = static_cast<const std::int32_t*>(pool->indices->data());
      args.height = pool->height;
      args.width = pool->width;
    }
    kernels::group_norm_backward(kernels, args);
    // dγ_c = Σ_n Σ g·x̂, dβ_c = Σ_n Σ g, each channel's total over n in order (deterministic); the loop
    // walks the partials in memory order.
    auto per_channel = [&](const std::vector<double>& partial) {
      std::vector<double> totals(d.c, 0.0);
      for (std::size_t b = 0; b < d.n; ++b) {
        for (std::size_t ch = 0; ch < d.c; ++ch) {
          totals[ch] += partial[b * d.c + ch];
        }
      }
      Tensor out = Tensor::empty({x.size(1)}, x.dtype());
      std::copy(totals.begin(), totals.end(), out.data<T>());
      return out;
    };
    if (node.needs_input_grad(1)) grads[1] = per_channel(sum_dy_xhat);
    if (node.needs_input_grad(2)) grads[2] = per_channel(sum_dy);
  });
  return grads;
}

Tensor group_norm_composite(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias,
                            double eps) {
  Tensor z = normalize_groups(x, num_groups, eps).xhat.reshape(shape_of(x));
  if (weight.defined()) z = z * weight.reshape(channel_view(x));
  if (bias.defined()) z = z + bias.reshape(channel_view(x));
  return z;
}

// With x̂ = (x − μ)·rstd per group and d = g_z·γ: dx = rstd·(d − mean(d) − x̂·mean(d·x̂)), dγ = Σ g_z·x̂,
// dβ = Σ g_z.
autograd::TensorList group_norm_composite_backward(const Tensor& g_z, const Tensor& x, std::int64_t num_groups,
                                                   const Tensor& weight, double eps, const autograd::Node& node) {
  const auto [xhat, rstd] = normalize_groups(x, num_groups, eps);
  autograd::TensorList grads(3);
  if (node.needs_input_grad(0)) {
    const Tensor d = (weight.defined() ? g_z * weight.reshape(channel_view(x)) : g_z).reshape({x.size(0), num_groups, -1});
    grads[0] = (rstd * (d - d.mean({2}, true) - xhat * (d * xhat).mean({2}, true))).reshape(shape_of(x));
  }
  if (node.needs_input_grad(1)) grads[1] = sum_per_channel(g_z * xhat.reshape(shape_of(x)));
  if (node.needs_input_grad(2)) grads[2] = sum_per_channel(g_z);
  return grads;
}

Tensor group_norm(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps,
                  Activation activation, Tensor& statistics) {
  return detail::with_builtin_epilogue(activation, builtin_tables(), [&]<class Act>(Act, const kernels::GroupNormKernels& k) {
    return group_norm_with_epilogue<Act>(k, x, num_groups, weight, bias, eps, {}, &statistics);
  });
}

Tensor group_norm_max_pool2d(const Tensor& x_in, std::int64_t num_groups, const Tensor& weight_in,
                             const Tensor& bias_in, double eps, Activation activation) {
  const Tensor x = ops_detail::row_major(x_in), weight = ops_detail::row_major(weight_in), bias = ops_detail::row_major(bias_in);
  check_group_norm_arguments(x, num_groups, weight, bias, eps);
  if (x.dim() != 4 || x.size(2) < 2 || x.size(3) < 2) {
    throw ValueError("group_norm_max_pool2d: expected an input of shape (N, C, H, W) with H, W >= 2, got shape " +
                     x.shape().str());
  }
  return with_builtin_epilogue(activation, builtin_tables(), [&]<class Act>(Act, const kernels::GroupNormKernels& k) {
    Tensor statistics;
    MaxPoolArgmax pool;
    Tensor y = group_norm_kernel_forward(k, x, num_groups, weight, bias, eps, {}, statistics, &pool);
    autograd::record(
        "GroupNormMaxPool2dBackward", y, {&x, &weight, &bias},
        [&k, num_groups, statistics, pool, saved_x = autograd::SavedTensor(x),
         saved_weight = autograd::SavedTensor(weight),
         saved_bias = autograd::SavedTensor(bias)](const Tensor& g, autograd::Node& node) {
          if (autograd::is_grad_enabled()) {
            throw RuntimeError("max_pool2d: double backward (create_graph=true) is not supported");
          }
          return group_norm_kernel_backward(k, g, saved_x.unpack(node), num_groups, saved_weight.unpack(node),
                                            saved_bias.unpack(node), statistics, {}, node, &pool);
        });
    return y;
  });
}

}  // namespace detail

Tensor group_norm(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps,
                  Activation activation) {
  Tensor statistics;
  return detail::group_norm(x, num_groups, weight, bias, eps, activation, statistics);
}

}  // namespace lucid::nn::functional
