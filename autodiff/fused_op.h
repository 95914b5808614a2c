// fused<E>(kernels, inputs, scalars): runs the fused SIMD kernel of expression E as one
// differentiable op. Inputs are broadcast to a common shape; the recorded backward runs E's
// compile-time derivative kernels (g·∂E/∂xᵢ, one fused pass per input) and sums each gradient back
// to its input's shape. When the backward is itself recorded (create_graph), it is instead
// evaluated with lucid's differentiable ops, so higher derivatives keep working.
//
// Heavy template code: include it only from .cc files that define ops.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <source_location>
#include <string_view>
#include <utility>
#include <string>

#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/expr/derivative.h"
#include "framework/expr/fused_kernels.h"
#include "framework/factories.h"
#include "framework/kernels/layout.h"

namespace lucid::autograd {

namespace fused_detail {

using expr::FusedKernels;

// A condition as 0/1 values of a's dtype, a constant to the graph for where(): pred(a, b) per element
// after broadcasting (false when either is NaN, for every comparison the expression layer has).
template <class Pred>
Tensor condition_tensor(const Tensor& a, const Tensor& b, Pred pred) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  const Tensor lhs = kernels::dense_at(a, shape);
  const Tensor rhs = kernels::dense_at(b, shape);
  Tensor out = Tensor::empty(shape, a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = lhs.template data<T>();
    const T* pb = rhs.template data<T>();
    T* po = out.template data<T>();
    for (std::int64_t i = 0, n = out.numel(); i < n; ++i) po[i] = pred(pa[i], pb[i]) ? T(1) : T(0);
  });
  return out;
}

// Evaluates an expression with differentiable tensor ops, node by node.
template <std::size_t N, std::size_t P>
struct TensorEvaluator {
  const std::array<Tensor, N>& x;
  const std::array<double, P>& s;
  DType dtype;

  template <std::size_t I>
  Tensor operator()(expr::Stream<I>) const { return x[I]; }
  template <std::size_t I>
  Tensor operator()(expr::Scalar<I>) const { return scalar_tensor(s[I], dtype); }
  template <double C>
  Tensor operator()(expr::Constant<C>) const { return scalar_tensor(C, dtype); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::AddOp, A, B>) const { return add((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::SubOp, A, B>) const { return sub((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::MulOp, A, B>) const { return mul((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::DivOp, A, B>) const { return div((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::MinOp, A, B>) const { return minimum((*this)(A{}), (*this)(B{})); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::MaxOp, A, B>) const { return maximum((*this)(A{}), (*this)(B{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::NegOp, A>) const { return neg((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::AbsOp, A>) const { return abs((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::ExpOp, A>) const { return exp((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::LogOp, A>) const { return log((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::SqrtOp, A>) const { return sqrt((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::RsqrtOp, A>) const { return rsqrt((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::TanhOp, A>) const { return tanh((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::SigmoidOp, A>) const { return sigmoid((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::ErfOp, A>) const { return erf((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::Log1pOp, A>) const { return log1p((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::Expm1Op, A>) const { return expm1((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::SinOp, A>) const { return sin((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::CosOp, A>) const { return cos((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::FloorOp, A>) const { return floor((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::CeilOp, A>) const { return ceil((*this)(A{})); }
  template <class A>
  Tensor operator()(expr::Node<expr::RoundOp, A>) const { return round((*this)(A{})); }
  // Conditions become 0/1 tensors (constants to the graph) that where() selects with.
  template <class A, class B>
  Tensor operator()(expr::Node<expr::LessOp, A, B>) const { return compare(A{}, B{}, std::less<>{}); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::GreaterOp, A, B>) const { return compare(A{}, B{}, std::greater<>{}); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::LessEqualOp, A, B>) const { return compare(A{}, B{}, std::less_equal<>{}); }
  template <class A, class B>
  Tensor operator()(expr::Node<expr::EqualOp, A, B>) const { return compare(A{}, B{}, std::equal_to<>{}); }
  template <class A, class B, class Pred>
  Tensor compare(A, B, Pred pred) const { return condition_tensor((*this)(A{}), (*this)(B{}), pred); }
  template <class C, class A, class B>
  Tensor operator()(expr::Node<expr::SelectOp, C, A, B>) const {
    return where((*this)(C{}), (*this)(A{}), (*this)(B{}));
  }
};

// The tensors as the forward kernel reads them, contiguous at the output's shape.
template <std::size_t N>
std::array<Tensor, N> at_shape(const std::array<Tensor, N>& tensors, const Shape& shape) {
  std::array<Tensor, N> streams = tensors;
  for (Tensor& t : streams) t = kernels::dense_at(t, shape);
  return streams;
}

// out = kernel(streams...; scalars), all streams of out's shape (a strided view is read from its
// row-major copy).
template <std::size_t N, std::size_t P>
Tensor run_kernel(const FusedKernels& kernels, int which, const std::array<Tensor, N>& streams,
                  const std::array<double, P>& scalars, const Shape& shape, DType dtype) {
  Tensor out = Tensor::empty(shape, dtype);
  std::array<Tensor, N> rows;
  for (std::size_t k = 0; k < N; ++k) rows[k] = kernels::dense(streams[k]);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    std::array<const T*, N> in{};
    for (std::size_t k = 0; k < N; ++k) in[k] = rows[k].template data<T>();
    std::array<T, P + 1> scalar_values{};  // +1: never a zero-length array
    std::copy(scalars.begin(), scalars.end(), scalar_values.begin());
    const auto kernel = which < 0 ? kernels.forward<T>() : kernels.backward<T>(static_cast<std::size_t>(which));
    kernel(in.data(), scalar_values.data(), out.template data<T>(), static_cast<std::size_t>(out.numel()));
  });
  return out;
}

// g·∂E/∂xᵢ from `with_grad` = (x₀ … x_{N−1}, g), all at the output's shape: the derived kernel, or
// differentiable ops under create_graph (`differentiable`); g itself when the derivative is 1.
template <class E, std::size_t I, std::size_t N, std::size_t P>
Tensor input_gradient(const FusedKernels& kernels, const std::array<Tensor, N + 1>& with_grad,
                      const std::array<double, P>& scalars, bool differentiable) {
  using Formula = expr::input_gradient_t<E, I>;
  const Tensor& g = with_grad[N];
  if constexpr (std::is_same_v<Formula, expr::Stream<N>>) {
    return g;  // the gradient passes through unchanged (e.g. addition)
  } else if (differentiable) {
    return TensorEvaluator<N + 1, P>{with_grad, scalars, g.dtype()}(Formula{});
  } else {
    return run_kernel(kernels, static_cast<int>(I), with_grad, scalars, g.shape(), g.dtype());
  }
}

// kReads<E>[I][J]: whether input I's gradient formula reads input J's values.
template <class E>
inline constexpr auto kReads = []<std::size_t... I>(std::index_sequence<I...>) {
  constexpr std::size_t N = expr::num_streams<E>;
  auto row = []<std::size_t Row, std::size_t... J>(std::integral_constant<std::size_t, Row>, std::index_sequence<J...>) {
    return std::array<bool, N>{expr::contains<expr::input_gradient_t<E, Row>, expr::Stream<J>>::value...};
  };
  return std::array<std::array<bool, N>, N>{row(std::integral_constant<std::size_t, I>{}, std::make_index_sequence<N>())...};
}(std::make_index_sequence<expr::num_streams<E>>());

}  // namespace fused_detail

// Operands of different dtypes are promoted by PyTorch's rules (ops_detail::result_type) through
// differentiable casts, so each input's gradient comes back in its own dtype.
// The backward keeps (as SavedTensor, version-checked) only the inputs that the gradient formulas of
// the inputs needing a gradient read: x·y saves y for x's gradient, x + y saves nothing. Errors
// (undefined or integer inputs) name the function that called fused, e.g. "add" or "relu".
template <class E>
Tensor fused(const expr::FusedKernels& kernels, std::array<Tensor, expr::num_streams<E>> inputs,
             const std::array<double, expr::num_scalars<E>>& scalars = {},
             const std::source_location& caller = std::source_location::current()) {
  constexpr std::size_t N = expr::num_streams<E>;
  constexpr std::size_t P = expr::num_scalars<E>;
  const std::string_view op = ops_detail::function_name(caller);
  std::apply([&](const auto&... t) { ops_detail::check_defined(op, {&t...}); }, inputs);
  const DType dtype = std::apply([](const auto&... t) { return ops_detail::result_type({&t...}); }, inputs);
  if (!is_floating_point(dtype)) {
    throw ValueError(std::string(op) + ": expected floating-point operands (float32 or float64), got " +
                     std::string(dtype_name(dtype)) + "; convert with .to(lucid::float32)");
  }
  for (Tensor& input : inputs) {
    if (input.dtype() != dtype) input = to_dtype(input, dtype);
  }
  Shape shape = inputs[0].shape();
  for (std::size_t k = 1; k < N; ++k) shape = broadcast_shapes(shape, inputs[k].shape());
  Tensor out = fused_detail::run_kernel(kernels, -1, fused_detail::at_shape(inputs, shape), scalars, shape, dtype);

  std::array<const Tensor*, N> input_ptrs{};
  for (std::size_t k = 0; k < N; ++k) input_ptrs[k] = &inputs[k];
  if (!std::apply([](auto... p) { return should_record({p...}); }, input_ptrs)) return out;

  std::array<SavedTensor, N> saved;
  std::array<std::optional<Shape>, N> broadcast_from;  // an input's shape, kept only when broadcast
  std::array<bool, N> needs_grad{};
  for (std::size_t i = 0; i < N; ++i) needs_grad[i] = inputs[i].requires_grad();
  for (std::size_t j = 0; j < N; ++j) {
    if (inputs[j].shape() != shape) broadcast_from[j] = inputs[j].shape();
    bool read = false;
    for (std::size_t i = 0; i < N; ++i) read = read || (needs_grad[i] && fused_detail::kReads<E>[i][j]);
    if (read) saved[j] = SavedTensor(inputs[j]);
  }
  auto backward = [&kernels, saved, broadcast_from, scalars](const Tensor& g, Node& node) {
    const Shape& out_shape = g.shape();
    const bool differentiable = is_grad_enabled();  // create_graph: record the backward itself
    std::array<Tensor, N + 1> with_grad;             // what the gradient formulas read: (x₀ … x_{N−1}, g)
    for (std::size_t j = 0; j < N; ++j) {
      // An input no formula reads stands in as g: a valid buffer of the right size, never read.
      const Tensor& x = saved[j].defined() ? saved[j].unpack(node) : g;
      with_grad[j] = !differentiable ? kernels::dense_at(x, out_shape) : x.shape() == out_shape ? x : expand(x, out_shape);
    }
    with_grad[N] = g;
    TensorList grads(N);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (([&] {
         if (!node.needs_input_grad(I)) return;
         grads[I] = fused_detail::input_gradient<E, I, N, P>(kernels, with_grad, scalars, differentiable);
         if (broadcast_from[I]) grads[I] = sum_to(grads[I], *broadcast_from[I]);  // undo broadcasting
       }()),
       ...);
    }(std::make_index_sequence<N>());
    return grads;
  };
  std::apply([&](auto... p) { record(kernels.backward_name, out, {p...}, std::move(backward)); }, input_ptrs);
  return out;
}

}  // namespace lucid::autograd
