#include "modules/functional/conv2d.h"

#include <array>
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops/checks.h"
#include "modules/functional/format.h"
#include "framework/kernels/conv2d.h"

namespace lucid::nn::functional {
namespace {

// Zero padding per spatial dimension: before (top / left) and in all (before + after).
struct Padding {
  std::array<std::int64_t, 2> before, total;
};

// Explicit padding p is p on both sides. `same` pads the dilated kernel's extent minus one in all,
// half before and the rest after, so an odd total puts the extra row / column at the bottom / right
// (as PyTorch's padding='same').
Padding resolve_padding(const Tensor& weight, const Conv2dParams& p) {
  if (!p.padding.is_same()) {
    const auto v = p.padding.values();
    return {v, {2 * v[0], 2 * v[1]}};
  }
  if (p.stride != Size2(1)) {
    throw ValueError("conv2d: padding='same' needs stride 1, got stride " + pair_str(p.stride));
  }
  Padding padding{};
  for (int d = 0; d < 2; ++d) {
    padding.total[d] = p.dilation[d] * (weight.size(2 + d) - 1);
    padding.before[d] = padding.total[d] / 2;
  }
  return padding;
}

kernels::Conv2dGeometry geometry(const Tensor& x, const Tensor& weight, const Conv2dParams& p) {
  if (x.dim() != 4) throw ValueError("conv2d: expected input of shape (N, C, H, W), got " + x.shape().str());
  if (weight.dim() != 4) {
    throw ValueError("conv2d: expected weight of shape (O, C / groups, KH, KW), got " + weight.shape().str());
  }
  if (p.groups < 1 || x.size(1) % p.groups != 0 || weight.size(0) % p.groups != 0) {
    throw ValueError("conv2d: groups (" + std::to_string(p.groups) + ") must be ≥ 1 and divide the input channels (" +
                     std::to_string(x.size(1)) + ") and the output channels (" + std::to_string(weight.size(0)) + ")");
  }
  if (x.size(1) != weight.size(1) * p.groups) {
    throw ValueError("conv2d: input has " + std::to_string(x.size(1)) + " channels but weight " +
                     weight.shape().str() + " with groups=" + std::to_string(p.groups) + " expects " +
                     std::to_string(weight.size(1) * p.groups));
  }
  for (int d = 0; d < 2; ++d) {
    if (p.stride[d] < 1 || p.dilation[d] < 1 || p.padding[d] < 0) {
      throw ValueError("conv2d: stride " + pair_str(p.stride) + " and dilation " + pair_str(p.dilation) +
                       " must be ≥ 1 and padding " + pair_str(p.padding) + " ≥ 0");
    }
  }
  const Padding padding = resolve_padding(weight, p);
  std::array<std::int64_t, 2> out{};
  for (int d = 0; d < 2; ++d) {
    const std::int64_t span = p.dilation[d] * (weight.size(2 + d) - 1) + 1;
    const std::int64_t padded = x.size(2 + d) + padding.total[d];
    if (padded < span) {
      throw ValueError("conv2d: kernel " + weight.shape().str() + " (dilated extent " + std::to_string(span) +
                       ") is larger than the padded input " + x.shape().str());
    }
    out[d] = (padded - span) / p.stride[d] + 1;
  }
  // The kernels read x as 0 outside the image and take the padding before it: the padding after it is
  // implied by the output size.
  auto u = [](std::int64_t v) { return static_cast<std::size_t>(v); };
  return {u(x.size(0)), u(x.size(1)), u(x.size(2)), u(x.size(3)), u(weight.size(0)), u(weight.size(2)),
          u(weight.size(3)), u(p.stride[0]), u(p.stride[1]), u(padding.before[0]), u(padding.before[1]), u(p.dilation[0]),
          u(p.dilation[1]), u(out[0]), u(out[1]), u(p.groups)};
}

}  // namespace

Tensor conv2d(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in, const Conv2dParams& params) {
  const Tensor x = ops_detail::row_major(x_in), weight = ops_detail::row_major(weight_in), bias = ops_detail::row_major(bias_in);
  const kernels::Conv2dGeometry g = geometry(x, weight, params);
  if (weight.dtype() != x.dtype() || (bias.defined() && bias.dtype() != x.dtype())) {
    throw ValueError("conv2d: input, weight and bias must share a dtype, got input " +
                     std::string(dtype_name(x.dtype())) + ", weight " + std::string(dtype_name(weight.dtype())) +
                     (bias.defined() ? ", bias " + std::string(dtype_name(bias.dtype())) : std::string()));
  }
  if (bias.defined() && bias.shape() != Shape{weight.size(0)}) {
    throw ValueError("conv2d: bias of shape " + bias.shape().str() + " does not match " +
                     std::to_string(weight.size(0)) + " output channels");
  }
  Tensor y = Tensor::empty({x.size(0), weight.size(0), static_cast<std::int64_t>(g.out_h), static_cast<std::int64_t>(g.out_w)},
                           x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::conv2d_forward(x.data<T>(), weight.data<T>(), bias.defined() ? bias.data<T>() : nullptr, y.data<T>(), g);
  });
  autograd::record("Conv2dBackward", y, {&x, &weight, &bias},
                   [saved_x = autograd::SavedTensor(x), saved_weight = autograd::SavedTensor(weight), g](
                       const Tensor& gy, autograd::Node& node) {
    if (autograd::is_grad_enabled()) {
      throw RuntimeError("conv2d: double backward (create_graph=true through a convolution) is not supported");
    }
    const Tensor& input = saved_x.unpack(node);
    const Tensor& filters = saved_weight.unpack(node);
    autograd::TensorList grads(3);
    for (std::size_t i = 0; i < 3; ++i) {
      if (node.needs_input_grad(i)) {
        grads[i] = Tensor::empty(i == 0 ? input.shape() : (i == 1 ? filters.shape() : Shape{filters.size(0)}), input.dtype());
      }
    }
    visit_dtype(input.dtype(), [&](auto tag) {
      using T = decltype(tag);
      auto ptr = [&](std::size_t i) { return grads[i].defined() ? grads[i].template data<T>() : nullptr; };
      kernels::conv2d_backward(gy.data<T>(), input.data<T>(), filters.data<T>(), ptr(0), ptr(1), ptr(2), g);
    });
    return grads;
  });
  return y;
}

}  // namespace lucid::nn::functional
