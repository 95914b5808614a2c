// Compile-time derivatives: d(expr, leaf) is the partial derivative ∂expr/∂leaf as another
// expression type, built by the chain rule and simplified as it is built (0·a → 0, 1·a → a,
// a + 0 → a, constants folded), so a derivative carries no dead arithmetic into the kernels.
#pragma once

#include "framework/expr/expr.h"

namespace lucid::expr {

// ---- simplifying constructors ----
namespace simplify {

template <typename T>
struct is_negation : std::false_type {};
template <typename A>
struct is_negation<Node<NegOp, A>> : std::true_type {};

template <Value A, Value B>
constexpr auto add(A a, B b) {
  if constexpr (std::is_same_v<A, Zero>) return b;
  else if constexpr (std::is_same_v<B, Zero>) return a;
  else if constexpr (is_constant<A>::value && is_constant<B>::value) return constant<A::value + B::value>;
  else return a + b;
}

template <Value A>
constexpr auto neg(A a) {
  if constexpr (is_constant<A>::value) return constant<-A::value>;
  else if constexpr (is_negation<A>::value) return operand_t<0, A>{};
  else return -a;
}

template <Value A, Value B>
constexpr auto sub(A a, B b) {
  if constexpr (std::is_same_v<B, Zero>) return a;
  else if constexpr (std::is_same_v<A, Zero>) return neg(b);
  else if constexpr (is_constant<A>::value && is_constant<B>::value) return constant<A::value - B::value>;
  else return a - b;
}

template <Value A, Value B>
constexpr auto mul(A a, B b) {
  if constexpr (std::is_same_v<A, Zero> || std::is_same_v<B, Zero>) return Zero{};
  else if constexpr (std::is_same_v<A, One>) return b;
  else if constexpr (std::is_same_v<B, One>) return a;
  else if constexpr (is_constant<A>::value && is_constant<B>::value) return constant<A::value * B::value>;
  else if constexpr (std::is_same_v<A, Constant<-1.0>>) return neg(b);
  else if constexpr (std::is_same_v<B, Constant<-1.0>>) return neg(a);
  else return a * b;
}

template <Value A, Value B>
constexpr auto div(A a, B b) {
  if constexpr (std::is_same_v<A, Zero>) return Zero{};
  else if constexpr (std::is_same_v<B, One>) return a;
  else return a / b;
}

template <typename C, Value A, Value B>
constexpr auto select(C c, A a, B b) {
  if constexpr (std::is_same_v<A, B>) return a;
  else return expr::select(c, a, b);
}

}  // namespace simplify

namespace detail {

// The share of max(a, b)'s gradient that goes to a, as PyTorch: 1 when a wins, ½ on a tie, 0 when b
// wins, and 1 when either is NaN (both operands then get the whole gradient).
template <Value A, Value B>
constexpr auto max_share(A a, B b) {
  return expr::select(a < b, Zero{}, expr::select(a == b, constant<0.5>, One{}));
}

// ∂e/∂l for any e (no check that l occurs in e; an absent leaf gives Zero).
template <typename E, typename L>
constexpr auto diff(E e, L l) {
  if constexpr (std::is_same_v<E, L>) {
    return One{};
  } else if constexpr (!contains<E, L>::value || is_condition<E>::value) {
    return Zero{};  // conditions are piecewise constant: no gradient flows through them
  } else {
    using Op = typename E::op;
    using A = operand_t<0, E>;
    const A a{};
    const auto da = diff(a, l);
    if constexpr (std::is_same_v<Op, NegOp>) {
      return simplify::neg(da);                                                 // −a' 
    } else if constexpr (std::is_same_v<Op, AbsOp>) {                          // sign(a)·a'
      return simplify::select(a > Zero{}, da, simplify::select(a < Zero{}, simplify::neg(da), Zero{}));
    } else if constexpr (std::is_same_v<Op, ExpOp>) {
      return simplify::mul(e, da);                                              // eᵃ·a'
    } else if constexpr (std::is_same_v<Op, LogOp>) {
      return simplify::div(da, a);                                              // a'/a
    } else if constexpr (std::is_same_v<Op, SqrtOp>) {
      return simplify::mul(da, constant<0.5> * rsqrt(a));                      // a'/(2√a)
    } else if constexpr (std::is_same_v<Op, RsqrtOp>) {
      return simplify::mul(da, constant<-0.5> * (e * e * e));                  // −a'·(1/√a)³/2: +inf at −0, as PyTorch
    } else if constexpr (std::is_same_v<Op, TanhOp>) {
      return simplify::mul(da, One{} - e * e);                                  // a'·(1 − tanh²a)
    } else if constexpr (std::is_same_v<Op, SigmoidOp>) {
      return simplify::mul(da, e * sigmoid(-a));                                // a'·σ(a)σ(−a): no 1 − σ cancellation
    } else if constexpr (std::is_same_v<Op, ErfOp>) {
      return simplify::mul(da, constant<1.1283791670955126> * exp(-(a * a)));  // a'·(2/√π)·e^(−a²)
    } else if constexpr (std::is_same_v<Op, Log1pOp>) {
      return simplify::div(da, One{} + a);                                      // a'/(1 + a)
    } else if constexpr (std::is_same_v<Op, Expm1Op>) {
      return simplify::mul(da, exp(a));                                         // a'·eᵃ
    } else if constexpr (std::is_same_v<Op, SinOp>) {
      return simplify::mul(da, cos(a));                                         // a'·cos a
    } else if constexpr (std::is_same_v<Op, CosOp>) {
      return simplify::mul(da, -sin(a));                                        // −a'·sin a
    } else if constexpr (std::is_same_v<Op, FloorOp> || std::is_same_v<Op, CeilOp> || std::is_same_v<Op, RoundOp>) {
      return Zero{};                                                            // piecewise constant, as PyTorch
    } else if constexpr (std::is_same_v<Op, SelectOp>) {
      return simplify::select(a, diff(operand_t<1, E>{}, l), diff(operand_t<2, E>{}, l));
    } else {
      using B = operand_t<1, E>;
      const B b{};
      const auto db = diff(b, l);
      if constexpr (std::is_same_v<Op, AddOp>) {
        return simplify::add(da, db);                                           // a' + b'
      } else if constexpr (std::is_same_v<Op, SubOp>) {
        return simplify::sub(da, db);                                           // a' − b'
      } else if constexpr (std::is_same_v<Op, MulOp>) {
        return simplify::add(simplify::mul(da, b), simplify::mul(a, db));       // a'b + ab'
      } else if constexpr (std::is_same_v<Op, DivOp>) {
        // (a' − (a/b)·b')/b, as PyTorch (−g·(a/b)/b for b): never forms b², which over- or underflows
        // in float32 for |b| beyond ~1e±19 where the quotients stay finite.
        return simplify::div(simplify::sub(da, simplify::mul(e, db)), b);
      } else if constexpr (std::is_same_v<Op, MinOp>) {
        return simplify::add(simplify::mul(da, max_share(b, a)), simplify::mul(db, max_share(a, b)));  // the smaller one's (½ each on a tie)
      } else if constexpr (std::is_same_v<Op, MaxOp>) {
        return simplify::add(simplify::mul(da, max_share(a, b)), simplify::mul(db, max_share(b, a)));  // the larger one's (½ each on a tie)
      } else {
        static_assert(!std::is_same_v<Op, Op>, "no derivative rule for this operation");
      }
    }
  }
}

template <typename T>
struct is_placeholder : std::false_type {};
template <std::size_t I>
struct is_placeholder<Stream<I>> : std::true_type {};
template <std::size_t I>
struct is_placeholder<Scalar<I>> : std::true_type {};

}  // namespace detail

// ∂e/∂leaf as an expression, e.g. d(x * sigmoid(x), x) for x = stream<0>.
template <Value E, typename L>
constexpr auto d(E e, L leaf) {
  static_assert(detail::is_placeholder<L>::value,
                "d(expr, leaf): differentiate by a placeholder such as stream<0> or scalar<0>");
  static_assert(contains<E, L>::value,
                "d(expr, leaf): the expression does not contain this placeholder, so the derivative is "
                "identically zero; differentiate by a placeholder the expression uses");
  return detail::diff(e, leaf);
}

// The expression of the gradient flowing into stream I of e when the output's gradient is the
// stream right after e's own streams: g · ∂e/∂xᵢ.
template <typename E, std::size_t I>
using input_gradient_t = decltype(simplify::mul(Stream<num_streams<E>>{},
                                                detail::diff(std::remove_cvref_t<E>{}, Stream<I>{})));

}  // namespace lucid::expr
