// Elementwise ops. Each is one fused SIMD kernel generated from an expression
// (framework/kernels/elementwise_exprs.h); autograd::fused records it with a backward derived from
// the same expression at compile time. pow with a runtime exponent is the one hand-written rule.
#include <string>
#include <string_view>

#include "autodiff/fused_op.h"
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/factories.h"
#include "framework/kernels/elementwise.h"
#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/fused_elementwise.h"

namespace lucid {

using autograd::fused;
namespace ex = kernels::exprs;

Tensor add(const Tensor& a, const Tensor& b) { return fused<ex::Add>(kernels::Add_kernels, {a, b}); }
Tensor sub(const Tensor& a, const Tensor& b) { return fused<ex::Sub>(kernels::Sub_kernels, {a, b}); }
Tensor mul(const Tensor& a, const Tensor& b) { return fused<ex::Mul>(kernels::Mul_kernels, {a, b}); }
Tensor div(const Tensor& a, const Tensor& b) { return fused<ex::Div>(kernels::Div_kernels, {a, b}); }
Tensor maximum(const Tensor& a, const Tensor& b) { return fused<ex::Maximum>(kernels::Maximum_kernels, {a, b}); }
Tensor minimum(const Tensor& a, const Tensor& b) { return fused<ex::Minimum>(kernels::Minimum_kernels, {a, b}); }
namespace {
// A 0/1 condition of any dtype in `dtype` (it never needs a gradient, so the cast is free of graph).
Tensor condition_in(const Tensor& condition, DType dtype) {
  return condition.dtype() == dtype ? condition : to_dtype(condition.detach(), dtype);
}
Tensor condition_as(const char* op, const Tensor& condition, const Tensor& like) {
  ops_detail::check_defined(op, {&condition, &like});
  return condition_in(condition, like.dtype());
}
}  // namespace

// The condition does not take part in type promotion (PyTorch's is bool): a and b promote.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  ops_detail::check_defined("where", {&condition, &a, &b});
  return fused<ex::Where>(kernels::Where_kernels, {condition_in(condition, ops_detail::result_type({&a, &b})), a, b});
}

Tensor where(const Tensor& condition, const Tensor& a, double b) {
  return fused<ex::WhereElseScalar>(kernels::WhereElseScalar_kernels, {condition_as("where", condition, a), a}, {b});
}
Tensor where(const Tensor& condition, double a, const Tensor& b) {
  return fused<ex::WhereThenScalar>(kernels::WhereThenScalar_kernels, {condition_as("where", condition, b), b}, {a});
}
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  return fused<ex::WhereThenScalar>(kernels::WhereThenScalar_kernels, {condition_as("masked_fill", mask, x), x}, {value});
}

Tensor add(const Tensor& a, double b) { return fused<ex::AddScalar>(kernels::AddScalar_kernels, {a}, {b}); }
Tensor sub(const Tensor& a, double b) { return fused<ex::AddScalar>(kernels::AddScalar_kernels, {a}, {-b}); }
Tensor mul(const Tensor& a, double b) { return fused<ex::MulScalar>(kernels::MulScalar_kernels, {a}, {b}); }
Tensor div(const Tensor& a, double b) { return fused<ex::DivScalar>(kernels::DivScalar_kernels, {a}, {b}); }
Tensor sub(double a, const Tensor& b) { return fused<ex::ScalarSub>(kernels::ScalarSub_kernels, {b}, {a}); }
Tensor div(double a, const Tensor& b) { return fused<ex::ScalarDiv>(kernels::ScalarDiv_kernels, {b}, {a}); }

#define LUCID_UNARY_OP(name, Name, group, ...) \
  Tensor name(const Tensor& x) { return fused<ex::Name>(kernels::Name##_kernels, {x}); }
#include "framework/kernels/unary_ops.inc"

void detail::check_gelu_approximate(std::string_view approximate) {
  if (approximate != "none" && approximate != "tanh") {
    throw ValueError("gelu: approximate ('" + std::string(approximate) + "') must be 'none' or 'tanh'");
  }
}

Tensor gelu(const Tensor& x, std::string_view approximate) {
  detail::check_gelu_approximate(approximate);
  return approximate == "tanh" ? gelu_tanh(x) : gelu(x);
}

Tensor clamp(const Tensor& x, double min, double max) {
  return fused<ex::Clamp>(kernels::Clamp_kernels, {x}, {min, max});
}
Tensor clamp_min(const Tensor& x, double min) { return fused<ex::ClampMin>(kernels::ClampMin_kernels, {x}, {min}); }
Tensor clamp_max(const Tensor& x, double max) { return fused<ex::ClampMax>(kernels::ClampMax_kernels, {x}, {max}); }

Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  return fused<ex::Hardtanh>(kernels::Hardtanh_kernels, {x}, {min_val, max_val});
}
Tensor softplus(const Tensor& x, double beta, double threshold) {
  return fused<ex::Softplus>(kernels::Softplus_kernels, {x}, {beta, threshold});
}
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return fused<ex::LeakyRelu>(kernels::LeakyRelu_kernels, {x}, {negative_slope});
}
Tensor elu(const Tensor& x, double alpha) { return fused<ex::Elu>(kernels::Elu_kernels, {x}, {alpha}); }

// d(xᵖ) = g·p·xᵖ⁻¹
Tensor pow(const Tensor& x, double exponent) {
  Tensor out = kernels::pow_scalar(x, exponent);
  autograd::record("PowBackward", out, {&x}, [saved = autograd::SavedTensor(x), exponent](const Tensor& g, autograd::Node& node) {
    const Tensor& base = saved.unpack(node);
    if (exponent == 0.0) return autograd::TensorList{zeros_like(base)};
    return autograd::TensorList{mul(g, mul(pow(base, exponent - 1.0), exponent))};
  });
  return out;
}

}  // namespace lucid
