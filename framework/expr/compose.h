// Composition of expressions: compose_t<Outer, Inner, Offset> is Outer(Inner), the expression Outer
// with its stream<0> replaced by the whole of Inner and its scalars renumbered from Offset, so that
// they follow Inner's own scalars. This is how an activation written on its own (stream<0> the value
// it acts on, scalar<0>… its parameters) becomes the epilogue of another kernel's expression:
//
//   using Swish = decltype(stream<0> * sigmoid(scalar<0> * stream<0>));
//   using Affine = decltype(stream<0> * scalar<0> + scalar<1>);
//   compose_t<Swish, Affine, 2>   // (x·a + b)·σ(s₂·(x·a + b)), scalars (a, b, β)
#pragma once

#include <cstddef>

#include "framework/expr/expr.h"

namespace lucid::expr {

namespace detail {

template <typename E, typename Inner, std::size_t Offset>
struct compose;
template <std::size_t I, typename Inner, std::size_t Offset>
struct compose<Stream<I>, Inner, Offset> {
  static_assert(I == 0, "compose_t: the outer expression must read one stream, stream<0>");
  using type = Inner;
};
template <std::size_t I, typename Inner, std::size_t Offset>
struct compose<Scalar<I>, Inner, Offset> {
  using type = Scalar<I + Offset>;
};
template <double V, typename Inner, std::size_t Offset>
struct compose<Constant<V>, Inner, Offset> {
  using type = Constant<V>;
};
template <typename Op, typename... Operands, typename Inner, std::size_t Offset>
struct compose<Node<Op, Operands...>, Inner, Offset> {
  using type = Node<Op, typename compose<Operands, Inner, Offset>::type...>;
};

}  // namespace detail

template <typename Outer, typename Inner, std::size_t Offset>
using compose_t = typename detail::compose<Outer, Inner, Offset>::type;

}  // namespace lucid::expr
