#include "modules/functional/conv_transpose2d.h"

#include <array>
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/kernels/conv2d.h"
#include "modules/functional/format.h"

namespace lucid::nn::functional {
namespace {

// The geometry of the convolution whose input gradient this transposed convolution is: its input is
// our output (N, O, OH, OW), its output our input (N, C, H, W), its weight ours read as (C, O / groups,
// KH, KW) = (its out_channels, its in_channels / groups, ...).
kernels::Conv2dGeometry transposed_geometry(const Tensor& x, const Tensor& weight, const ConvTranspose2dParams& p) {
  const std::string params = "stride " + pair_str(p.stride) + ", padding " + pair_str(p.padding) +
                             ", output_padding " + pair_str(p.output_padding) + ", dilation " + pair_str(p.dilation);
  if (x.dim() != 4) throw ValueError("conv_transpose2d: expected input of shape (N, C, H, W), got " + x.shape().str());
  if (weight.dim() != 4) {
    throw ValueError("conv_transpose2d: expected weight of shape (C, O / groups, KH, KW), got " + weight.shape().str());
  }
  if (p.groups < 1 || x.size(1) % p.groups != 0) {
    throw ValueError("conv_transpose2d: groups (" + std::to_string(p.groups) + ") must be ≥ 1 and divide the input channels (" +
                     std::to_string(x.size(1)) + ")");
  }
  if (weight.size(0) != x.size(1)) {
    throw ValueError("conv_transpose2d: input has " + std::to_string(x.size(1)) + " channels but weight " +
                     weight.shape().str() + " expects " + std::to_string(weight.size(0)));
  }
  std::array<std::int64_t, 2> out{};
  for (int d = 0; d < 2; ++d) {
    if (p.stride[d] < 1 || p.dilation[d] < 1 || p.padding[d] < 0 || p.output_padding[d] < 0) {
      throw ValueError("conv_transpose2d: " + params + ": stride and dilation must be ≥ 1, padding and output_padding ≥ 0");
    }
    if (p.output_padding[d] >= p.stride[d] && p.output_padding[d] >= p.dilation[d]) {
      throw ValueError("conv_transpose2d: " + params + ": output_padding must be smaller than either stride or dilation");
    }
    // In long double first (exact to 2⁶⁴), so that huge strides or paddings cannot overflow int64.
    const auto size = [&](auto v) {
      return (v(x.size(2 + d)) - 1) * v(p.stride[d]) - 2 * v(p.padding[d]) + v(p.dilation[d]) * (v(weight.size(2 + d)) - 1) +
             v(p.output_padding[d]) + 1;
    };
    if (size([](std::int64_t v) { return static_cast<long double>(v); }) > static_cast<long double>(std::int64_t{1} << 62)) {
      throw ValueError("conv_transpose2d: input " + x.shape().str() + " with weight " + weight.shape().str() + " and " +
                       params + " gives an output size beyond int64");
    }
    out[d] = size([](std::int64_t v) { return v; });
    if (out[d] <= 0) {
      throw ValueError("conv_transpose2d: input " + x.shape().str() + " with weight " + weight.shape().str() + " and " +
                       params + " gives an empty output (size " + std::to_string(out[d]) + ")");
    }
  }
  auto u = [](std::int64_t v) { return static_cast<std::size_t>(v); };
  return {u(x.size(0)), u(weight.size(1) * p.groups), u(out[0]), u(out[1]), u(x.size(1)), u(weight.size(2)),
          u(weight.size(3)), u(p.stride[0]), u(p.stride[1]), u(p.padding[0]), u(p.padding[1]), u(p.dilation[0]),
          u(p.dilation[1]), u(x.size(2)), u(x.size(3)), u(p.groups)};
}

}  // namespace

Tensor conv_transpose2d(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                        const ConvTranspose2dParams& params) {
  const Tensor x = ops_detail::row_major(x_in), weight = ops_detail::row_major(weight_in);
  const kernels::Conv2dGeometry g = transposed_geometry(x, weight, params);
  if (weight.dtype() != x.dtype() || (bias_in.defined() && bias_in.dtype() != x.dtype())) {
    throw ValueError("conv_transpose2d: input, weight and bias must share a dtype, got input " +
                     std::string(dtype_name(x.dtype())) + ", weight " + std::string(dtype_name(weight.dtype())) +
                     (bias_in.defined() ? ", bias " + std::string(dtype_name(bias_in.dtype())) : std::string()));
  }
  const auto out_channels = static_cast<std::int64_t>(g.in_channels);
  if (bias_in.defined() && bias_in.shape() != Shape{out_channels}) {
    throw ValueError("conv_transpose2d: bias of shape " + bias_in.shape().str() + " does not match " +
                     std::to_string(out_channels) + " output channels");
  }
  Tensor y = Tensor::empty({x.size(0), out_channels, static_cast<std::int64_t>(g.height), static_cast<std::int64_t>(g.width)},
                           x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {  // y = conv2d's input gradient for output gradient x
    using T = decltype(tag);
    kernels::conv2d_backward(x.data<T>(), nullptr, weight.data<T>(), y.data<T>(), nullptr, nullptr, g);
  });
  autograd::record("ConvTranspose2dBackward", y, {&x, &weight},
                   [saved_x = autograd::SavedTensor(x), saved_weight = autograd::SavedTensor(weight), g](
                       const Tensor& gy, autograd::Node& node) {
    if (autograd::is_grad_enabled()) {
      throw RuntimeError("conv_transpose2d: double backward (create_graph=true through a convolution) is not supported");
    }
    const Tensor& input = saved_x.unpack(node);
    const Tensor& filters = saved_weight.unpack(node);
    autograd::TensorList grads(2);
    if (node.needs_input_grad(0)) grads[0] = Tensor::empty(input.shape(), input.dtype());
    if (node.needs_input_grad(1)) grads[1] = Tensor::empty(filters.shape(), filters.dtype());
    visit_dtype(input.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if (grads[0].defined()) {  // dx = conv2d(dy, W)
        kernels::conv2d_forward(gy.data<T>(), filters.data<T>(), nullptr, grads[0].template data<T>(), g);
      }
      if (grads[1].defined()) {  // dW: conv2d's weight gradient with output gradient x and input dy
        kernels::conv2d_backward(input.data<T>(), gy.data<T>(), filters.data<T>(), nullptr, grads[1].template data<T>(),
                                 nullptr, g);
      }
    });
    return grads;
  });
  // The bias, broadcast over (N, OH, OW), is a differentiable add: its gradient sums dy per channel.
  return bias_in.defined() ? y + bias_in.reshape({1, out_channels, 1, 1}) : y;
}

}  // namespace lucid::nn::functional
