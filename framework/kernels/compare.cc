#include "framework/kernels/compare.h"

#include <functional>

#include "framework/kernels/layout.h"

namespace lucid::kernels {
namespace {

// Calls fn(std::equal_to<>{}), fn(std::less<>{}), ... for the relation.
template <typename Fn>
void visit_relation(Relation relation, Fn&& fn) {
  switch (relation) {
    case Relation::eq: return fn(std::equal_to<>{});
    case Relation::ne: return fn(std::not_equal_to<>{});
    case Relation::lt: return fn(std::less<>{});
    case Relation::le: return fn(std::less_equal<>{});
    case Relation::gt: return fn(std::greater<>{});
    case Relation::ge: return fn(std::greater_equal<>{});
  }
}

// out[i] = relation(a(i), b(i)) ? 1 : 0 over out's elements; the a and b readers index or broadcast.
template <typename ReadA, typename ReadB>
void compare_each(Relation relation, ReadA a, ReadB b, const Tensor& out) {
  visit_relation(relation, [&](auto holds) {
    visit_dtype(out.dtype(), [&](auto out_tag) {
      using O = decltype(out_tag);
      O* po = out.data<O>();
      for (std::int64_t i = 0, n = out.numel(); i < n; ++i) po[i] = holds(a(i), b(i)) ? O(1) : O(0);
    });
  });
}

}  // namespace

void compare(Relation relation, const Tensor& a, const Tensor& b, const Tensor& out) {
  const Tensor dense_a = dense(a), dense_b = dense(b);
  visit_any_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = dense_a.data<T>();
    const T* pb = dense_b.data<T>();
    compare_each(relation, [pa](std::int64_t i) { return pa[i]; }, [pb](std::int64_t i) { return pb[i]; }, out);
  });
}

void compare(Relation relation, const Tensor& a, double b, const Tensor& out) {
  const Tensor dense_a = dense(a);
  visit_any_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = dense_a.data<T>();
    compare_each(relation, [pa](std::int64_t i) { return static_cast<double>(pa[i]); }, [b](std::int64_t) { return b; },
                 out);
  });
}

}  // namespace lucid::kernels
