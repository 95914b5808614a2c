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
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  return fused<ex::Where>(kernels::Where_kernels, {condition, a, b});
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
