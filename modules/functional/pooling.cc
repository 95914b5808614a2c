#include "modules/functional/pooling.h"

#include <memory>
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops/checks.h"
#include "modules/functional/format.h"
#include "framework/kernels/pooling.h"
#include "framework/storage.h"

namespace lucid::nn::functional {
namespace {

kernels::Pool2dGeometry geometry(const char* op, const Tensor& x, const Pool2dParams& p) {
  if (x.dim() != 4) throw ValueError(std::string(op) + ": expected input of shape (N, C, H, W), got " + x.shape().str());
  const Size2 stride = p.stride.value_or(p.kernel_size);
  std::array<std::int64_t, 2> out{};
  for (int d = 0; d < 2; ++d) {
    if (p.kernel_size[d] < 1 || stride[d] < 1 || p.padding[d] < 0 || p.padding[d] > p.kernel_size[d] / 2) {
      throw ValueError(std::string(op) + ": kernel_size " + pair_str(p.kernel_size) + " and stride " +
                       pair_str(stride) + " must be ≥ 1, padding " + pair_str(p.padding) +
                       " between 0 and half the kernel size");
    }
    const std::int64_t padded = x.size(2 + d) + 2 * p.padding[d];
    if (padded < p.kernel_size[d]) {
      throw ValueError(std::string(op) + ": kernel_size " + pair_str(p.kernel_size) + " is larger than the padded input " +
                       x.shape().str());
    }
    out[d] = (padded - p.kernel_size[d]) / stride[d] + 1;
  }
  std::int64_t area = 0;  // avg_pool2d divides by it
  if (__builtin_mul_overflow(p.kernel_size[0], p.kernel_size[1], &area)) {
    throw ValueError(std::string(op) + ": kernel_size " + pair_str(p.kernel_size) +
                     " covers more elements than int64 can count");
  }
  auto u = [](std::int64_t v) { return static_cast<std::size_t>(v); };
  return {u(x.size(0) * x.size(1)), u(x.size(2)), u(x.size(3)), u(p.kernel_size[0]), u(p.kernel_size[1]),
          u(stride[0]), u(stride[1]), u(p.padding[0]), u(p.padding[1]), u(out[0]), u(out[1])};
}

Shape output_shape(const Tensor& x, const kernels::Pool2dGeometry& g) {
  return {x.size(0), x.size(1), static_cast<std::int64_t>(g.out_h), static_cast<std::int64_t>(g.out_w)};
}

}  // namespace

Tensor max_pool2d(const Tensor& x_in, const Pool2dParams& params) {
  const Tensor x = ops_detail::row_major(x_in);
  const kernels::Pool2dGeometry g = geometry("max_pool2d", x, params);
  Tensor y = Tensor::empty(output_shape(x, g), x.dtype());
  // Each window's argmax, every entry written by the forward kernel: uninitialised Storage, recycled
  // step to step when large (a std::vector zero-filled a fresh heap block, 4 MB per Fashion-MNIST step).
  auto argmax_storage = std::make_shared<Storage>(static_cast<std::size_t>(y.numel()) * sizeof(std::int32_t));
  auto* const argmax = static_cast<std::int32_t*>(argmax_storage->data());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::max_pool2d_forward(x.data<T>(), y.data<T>(), argmax, g);
  });
  // d = gy routed to each window's argmax; under create_graph, the same routing as a differentiable
  // gather is not available, so double backward raises.
  // The node owns argmax_storage; argmax points into it.
  autograd::record("MaxPool2dBackward", y, {&x}, [x_shape = x.shape(), dtype = x.dtype(), argmax_storage, argmax, g](const Tensor& gy, autograd::Node&) {
    if (autograd::is_grad_enabled()) throw RuntimeError("max_pool2d: double backward (create_graph=true) is not supported");
    Tensor dx = Tensor::empty(x_shape, dtype);
    visit_dtype(dtype, [&](auto tag) {
      using T = decltype(tag);
      kernels::max_pool2d_backward(gy.data<T>(), argmax, dx.data<T>(), g);
    });
    return autograd::TensorList{dx};
  });
  return y;
}

namespace {

Tensor avg_pool_with(const Tensor& x_in, const kernels::Pool2dGeometry& g) {
  const Tensor x = ops_detail::row_major(x_in);
  Tensor y = Tensor::empty(output_shape(x, g), x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::avg_pool2d_forward(x.data<T>(), y.data<T>(), g);
  });
  autograd::record("AvgPool2dBackward", y, {&x}, [x_shape = x.shape(), dtype = x.dtype(), g](const Tensor& gy, autograd::Node&) {
    if (autograd::is_grad_enabled()) throw RuntimeError("avg_pool2d: double backward (create_graph=true) is not supported");
    Tensor dx = Tensor::empty(x_shape, dtype);
    visit_dtype(dtype, [&](auto tag) {
      using T = decltype(tag);
      kernels::avg_pool2d_backward(gy.data<T>(), dx.data<T>(), g);
    });
    return autograd::TensorList{dx};
  });
  return y;
}

}  // namespace

Tensor avg_pool2d(const Tensor& x, const Pool2dParams& params) { return avg_pool_with(x, geometry("avg_pool2d", x, params)); }

Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size) {
  if (x.dim() != 4) throw ValueError("adaptive_avg_pool2d: expected input of shape (N, C, H, W), got " + x.shape().str());
  if (output_size[0] < 1 || output_size[1] < 1) {
    throw ValueError("adaptive_avg_pool2d: output_size " + pair_str(output_size) + " must be positive");
  }
  if (x.size(2) == 0 || x.size(3) == 0) {  // every window would be empty: a mean of nothing
    throw ValueError("adaptive_avg_pool2d: input " + x.shape().str() + " has an empty spatial dimension");
  }
  auto u = [](std::int64_t v) { return static_cast<std::size_t>(v); };
  kernels::Pool2dGeometry g{u(x.size(0) * x.size(1)), u(x.size(2)), u(x.size(3)), 0, 0, 0, 0, 0, 0,
                            u(output_size[0]), u(output_size[1]), /*adaptive=*/true};
  return avg_pool_with(x, g);
}

}  // namespace lucid::nn::functional
