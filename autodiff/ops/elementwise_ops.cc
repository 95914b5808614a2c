// Elementwise ops and their gradient rules. Backward functions are written with differentiable ops,
// so the backward pass can itself be recorded (create_graph) for higher derivatives.
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/factories.h"
#include "framework/kernels/elementwise.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::TensorList;
using autograd::unpack_output;
using kernels::BinaryOp;
using kernels::UnaryOp;

namespace {

Tensor binary_op(const char* name, BinaryOp op, const Tensor& a, const Tensor& b) {
  ops_detail::check_same_dtype(name, a, b);
  return kernels::binary(op, a, b);
}

}  // namespace

// d(a+b) = (g, g), each summed back over its broadcast dimensions.
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_op("add", BinaryOp::kAdd, a, b);
  record("AddBackward", out, {&a, &b}, [sa = a.shape(), sb = b.shape()](const Tensor& g, Node& n) {
    return TensorList{n.needs_input_grad(0) ? sum_to(g, sa) : Tensor(), n.needs_input_grad(1) ? sum_to(g, sb) : Tensor()};
  });
  return out;
}

// d(a-b) = (g, -g)
Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_op("sub", BinaryOp::kSub, a, b);
  record("SubBackward", out, {&a, &b}, [sa = a.shape(), sb = b.shape()](const Tensor& g, Node& n) {
    return TensorList{n.needs_input_grad(0) ? sum_to(g, sa) : Tensor(),
                      n.needs_input_grad(1) ? sum_to(neg(g), sb) : Tensor()};
  });
  return out;
}

// d(a·b) = (g·b, g·a)
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_op("mul", BinaryOp::kMul, a, b);
  record("MulBackward", out, {&a, &b}, [a, b](const Tensor& g, Node& n) {
    return TensorList{n.needs_input_grad(0) ? sum_to(mul(g, b), a.shape()) : Tensor(),
                      n.needs_input_grad(1) ? sum_to(mul(g, a), b.shape()) : Tensor()};
  });
  return out;
}

// d(a/b) = (g/b, -g·a/b²)
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_op("div", BinaryOp::kDiv, a, b);
  record("DivBackward", out, {&a, &b}, [a, b](const Tensor& g, Node& n) {
    return TensorList{n.needs_input_grad(0) ? sum_to(div(g, b), a.shape()) : Tensor(),
                      n.needs_input_grad(1) ? sum_to(neg(div(mul(g, a), mul(b, b))), b.shape()) : Tensor()};
  });
  return out;
}

Tensor greater(const Tensor& a, const Tensor& b) { return binary_op("greater", BinaryOp::kGreater, a, b); }

// d(-x) = -g
Tensor neg(const Tensor& x) {
  Tensor out = kernels::unary(UnaryOp::kNeg, x);
  record("NegBackward", out, {&x}, [](const Tensor& g, Node&) { return TensorList{neg(g)}; });
  return out;
}

// d(eˣ) = g·eˣ
Tensor exp(const Tensor& x) {
  Tensor out = kernels::unary(UnaryOp::kExp, x);
  record("ExpBackward", out, {&x}, [saved = out.detach()](const Tensor& g, Node& n) {
    return TensorList{mul(g, unpack_output(saved, n))};
  });
  return out;
}

// d(ln x) = g/x
Tensor log(const Tensor& x) {
  Tensor out = kernels::unary(UnaryOp::kLog, x);
  record("LogBackward", out, {&x}, [x](const Tensor& g, Node&) { return TensorList{div(g, x)}; });
  return out;
}

// d(√x) = g/(2√x)
Tensor sqrt(const Tensor& x) {
  Tensor out = kernels::unary(UnaryOp::kSqrt, x);
  record("SqrtBackward", out, {&x}, [saved = out.detach()](const Tensor& g, Node& n) {
    return TensorList{div(g, unpack_output(saved, n) * 2.0)};
  });
  return out;
}

// d(xᵖ) = g·p·xᵖ⁻¹
Tensor pow(const Tensor& x, double exponent) {
  Tensor out = kernels::pow_scalar(x, exponent);
  record("PowBackward", out, {&x}, [x, exponent](const Tensor& g, Node&) {
    if (exponent == 0.0) return TensorList{zeros_like(x)};
    return TensorList{mul(g, pow(x, exponent - 1.0) * exponent)};
  });
  return out;
}

// d relu(x) = g·[x > 0]
Tensor relu(const Tensor& x) {
  Tensor out = kernels::unary(UnaryOp::kRelu, x);
  record("ReluBackward", out, {&x}, [x](const Tensor& g, Node&) {
    return TensorList{mul(g, greater(x, scalar_tensor(0.0, x.dtype())))};
  });
  return out;
}

// d σ(x) = g·σ(x)·(1 − σ(x))
Tensor sigmoid(const Tensor& x) {
  Tensor out = kernels::unary(UnaryOp::kSigmoid, x);
  record("SigmoidBackward", out, {&x}, [saved = out.detach()](const Tensor& g, Node& n) {
    const Tensor s = unpack_output(saved, n);
    return TensorList{mul(g, mul(s, 1.0 - s))};
  });
  return out;
}

// d tanh(x) = g·(1 − tanh²x)
Tensor tanh(const Tensor& x) {
  Tensor out = kernels::unary(UnaryOp::kTanh, x);
  record("TanhBackward", out, {&x}, [saved = out.detach()](const Tensor& g, Node& n) {
    const Tensor t = unpack_output(saved, n);
    return TensorList{mul(g, 1.0 - mul(t, t))};
  });
  return out;
}

}  // namespace lucid
