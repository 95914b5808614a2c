// Expression templates: an elementwise formula such as (x − m)·r·g + b as a C++ *type*.
//
// Leaves are placeholders: Stream<I> (input tensor I, read element by element), Scalar<I> (runtime
// scalar I, broadcast to every element) and Constant<V> (a compile-time number). Interior nodes are
// Node<Op, Operands...>, whose operands live in a boost::hana::tuple. Every expression type is
// empty and free of Highway types, so one expression serves every SIMD target: the evaluator in
// evaluate-inl.h gives it meaning per target, derivative.h differentiates it at compile time.
//
//   using namespace lucid::expr;
//   constexpr auto x = stream<0>;  constexpr auto beta = scalar<0>;
//   constexpr auto swish = x * sigmoid(beta * x);          // a value whose type is the tree
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

namespace lucid::expr {

namespace hana = boost::hana;

// ---- leaves ----
template <std::size_t I>
struct Stream {};
template <std::size_t I>
struct Scalar {};
template <double V>
struct Constant {
  static constexpr double value = V;
};

template <std::size_t I>
inline constexpr Stream<I> stream{};
template <std::size_t I>
inline constexpr Scalar<I> scalar{};
template <double V>
inline constexpr Constant<V> constant{};

using Zero = Constant<0.0>;
using One = Constant<1.0>;

// ---- operations (tags) ----
struct AddOp {};      // a + b
struct SubOp {};      // a − b
struct MulOp {};      // a · b
struct DivOp {};      // a / b
struct NegOp {};      // −a
struct MinOp {};      // min(a, b)
struct MaxOp {};      // max(a, b)
struct AbsOp {};      // |a|
struct ExpOp {};      // eᵃ
struct LogOp {};      // ln a
struct SqrtOp {};     // √a
struct RsqrtOp {};    // 1/√a
struct TanhOp {};     // tanh a
struct SigmoidOp {};  // 1/(1 + e⁻ᵃ)
struct ErfOp {};      // erf a = (2/√π)∫₀ᵃ e^(−t²) dt
struct Log1pOp {};    // ln(1 + a), accurate near a = 0
struct Expm1Op {};    // eᵃ − 1, accurate near a = 0
struct SinOp {};      // sin a
struct CosOp {};      // cos a
struct FloorOp {};    // ⌊a⌋ (piecewise constant: no gradient)
struct CeilOp {};     // ⌈a⌉ (piecewise constant: no gradient)
struct RoundOp {};    // a rounded to the nearest integer, halves to even (piecewise constant: no gradient)
struct LessOp {};     // a < b   (a condition)
struct GreaterOp {};  // a > b   (a condition)
struct LessEqualOp {};  // a ≤ b (a condition; false when either is NaN)
struct EqualOp {};      // a = b (a condition; false when either is NaN)
struct SelectOp {};   // cond ? a : b

template <typename Op, typename... Operands>
struct Node {
  using op = Op;
  using operands = hana::tuple<Operands...>;
};

// The I-th operand type of a node.
template <std::size_t I, typename N>
using operand_t = std::decay_t<decltype(hana::at_c<I>(typename N::operands{}))>;

// ---- traits ----
template <typename T>
struct is_expression : std::false_type {};
template <std::size_t I>
struct is_expression<Stream<I>> : std::true_type {};
template <std::size_t I>
struct is_expression<Scalar<I>> : std::true_type {};
template <double V>
struct is_expression<Constant<V>> : std::true_type {};
template <typename Op, typename... A>
struct is_expression<Node<Op, A...>> : std::true_type {};

template <typename T>
concept Expression = is_expression<std::decay_t<T>>::value;

// Conditions (comparisons) are masks, not numbers: they may only feed select().
template <typename T>
struct is_condition : std::false_type {};
template <typename A, typename B>
struct is_condition<Node<LessOp, A, B>> : std::true_type {};
template <typename A, typename B>
struct is_condition<Node<GreaterOp, A, B>> : std::true_type {};
template <typename A, typename B>
struct is_condition<Node<LessEqualOp, A, B>> : std::true_type {};
template <typename A, typename B>
struct is_condition<Node<EqualOp, A, B>> : std::true_type {};

template <typename T>
concept Value = Expression<T> && !is_condition<std::decay_t<T>>::value;

template <typename T>
struct is_constant : std::false_type {};
template <double V>
struct is_constant<Constant<V>> : std::true_type {};

// Number of Stream / Scalar placeholders an expression reads (largest index + 1).
template <typename T>
struct arity {
  static constexpr std::size_t streams = 0, scalars = 0;
};
template <std::size_t I>
struct arity<Stream<I>> {
  static constexpr std::size_t streams = I + 1, scalars = 0;
};
template <std::size_t I>
struct arity<Scalar<I>> {
  static constexpr std::size_t streams = 0, scalars = I + 1;
};
template <typename Op, typename... A>
struct arity<Node<Op, A...>> {
  static constexpr std::size_t streams = std::max({std::size_t{0}, arity<A>::streams...});
  static constexpr std::size_t scalars = std::max({std::size_t{0}, arity<A>::scalars...});
};
template <typename E>
inline constexpr std::size_t num_streams = arity<std::remove_cvref_t<E>>::streams;
template <typename E>
inline constexpr std::size_t num_scalars = arity<std::remove_cvref_t<E>>::scalars;

// Whether expression E contains the leaf L.
template <typename E, typename L>
struct contains : std::is_same<E, L> {};
template <typename Op, typename... A, typename L>
struct contains<Node<Op, A...>, L> : std::bool_constant<(contains<A, L>::value || ...)> {};

// ---- building expressions ----
namespace detail {
template <typename Op, typename... A>
constexpr Node<Op, std::decay_t<A>...> make(A&&...) {
  static_assert((Value<A> && ...),
                "a comparison (a < b, a > b, a <= b, a == b) is a condition, not a number: turn it into a value with "
                "select(condition, value_if_true, value_if_false)");
  return {};
}
}  // namespace detail

template <Expression A, Expression B>
constexpr auto operator+(A a, B b) { return detail::make<AddOp>(a, b); }
template <Expression A, Expression B>
constexpr auto operator-(A a, B b) { return detail::make<SubOp>(a, b); }
template <Expression A, Expression B>
constexpr auto operator*(A a, B b) { return detail::make<MulOp>(a, b); }
template <Expression A, Expression B>
constexpr auto operator/(A a, B b) { return detail::make<DivOp>(a, b); }
template <Expression A>
constexpr auto operator-(A a) { return detail::make<NegOp>(a); }
template <Expression A, Expression B>
constexpr auto min(A a, B b) { return detail::make<MinOp>(a, b); }
template <Expression A, Expression B>
constexpr auto max(A a, B b) { return detail::make<MaxOp>(a, b); }
template <Expression A>
constexpr auto abs(A a) { return detail::make<AbsOp>(a); }
template <Expression A>
constexpr auto exp(A a) { return detail::make<ExpOp>(a); }
template <Expression A>
constexpr auto log(A a) { return detail::make<LogOp>(a); }
template <Expression A>
constexpr auto sqrt(A a) { return detail::make<SqrtOp>(a); }
template <Expression A>
constexpr auto rsqrt(A a) { return detail::make<RsqrtOp>(a); }
template <Expression A>
constexpr auto tanh(A a) { return detail::make<TanhOp>(a); }
template <Expression A>
constexpr auto sigmoid(A a) { return detail::make<SigmoidOp>(a); }
template <Expression A>
constexpr auto erf(A a) { return detail::make<ErfOp>(a); }
template <Expression A>
constexpr auto log1p(A a) { return detail::make<Log1pOp>(a); }
template <Expression A>
constexpr auto expm1(A a) { return detail::make<Expm1Op>(a); }
template <Expression A>
constexpr auto sin(A a) { return detail::make<SinOp>(a); }
template <Expression A>
constexpr auto cos(A a) { return detail::make<CosOp>(a); }
template <Expression A>
constexpr auto floor(A a) { return detail::make<FloorOp>(a); }
template <Expression A>
constexpr auto ceil(A a) { return detail::make<CeilOp>(a); }
template <Expression A>
constexpr auto round(A a) { return detail::make<RoundOp>(a); }
template <Expression A, Expression B>
constexpr auto operator<(A a, B b) { return detail::make<LessOp>(a, b); }
template <Expression A, Expression B>
constexpr auto operator>(A a, B b) { return detail::make<GreaterOp>(a, b); }
template <Expression A, Expression B>
constexpr auto operator<=(A a, B b) { return detail::make<LessEqualOp>(a, b); }
template <Expression A, Expression B>
constexpr auto operator==(A a, B b) { return detail::make<EqualOp>(a, b); }

template <Expression C, Expression A, Expression B>
constexpr Node<SelectOp, C, A, B> select(C, A a, B b) {
  static_assert(is_condition<C>::value,
                "select(condition, a, b): the first argument must be a comparison such as x > constant<0.0>");
  static_assert(Value<A> && Value<B>, "select(condition, a, b): a and b must be numbers, not conditions");
  (void)a, (void)b;
  return {};
}

// How a kernel's output reaches memory (evaluate-inl.h's Map): through the cache, where the next op
// finds it, or streamed past it with non-temporal stores, which neither read the output's lines from
// memory first nor evict the cache, for outputs too large to stay cached until they are read again.
enum class Store { cached, streamed };

// fn(std::integral_constant<Store, ...>{}): a store mode chosen at run time (by the output's size)
// for a kernel compiled both ways.
template <class Fn>
constexpr void with_store(bool streamed, Fn&& fn) {
  if (streamed) {
    fn(std::integral_constant<Store, Store::streamed>{});
  } else {
    fn(std::integral_constant<Store, Store::cached>{});
  }
}

// The lists of a pass that writes one expression (or NoOutput), adds several into arrays and sums
// several (evaluate-inl.h's MapAccumulateSumReduce).
template <class... Rs>
struct Accumulated {};
template <class... Ss>
struct Summed {};
struct NoOutput {};

}  // namespace lucid::expr
