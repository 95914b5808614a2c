// The expression evaluator itself, on every SIMD target: composite expressions (fused multiply-add
// patterns, scalars, constants, select), NaN handling, fused multi-sum reductions with tails, a pass
// that maps, accumulates and sums, each against a scalar float64 evaluation written out here, and
// streamed stores against cached ones.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "tests/framework/expr_evaluator_test.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "framework/expr/evaluate-inl.h"
#include "hwy/aligned_allocator.h"
#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::expr::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

constexpr auto x = stream<0>;
constexpr auto y = stream<1>;
constexpr auto z = stream<2>;

template <typename T>
std::vector<T> RandomVector(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<T> v(n);
  for (T& e : v) e = static_cast<T>(dist(rng));
  return v;
}

// Map<E> over lengths 0 … 3·lanes+1 at unaligned offsets against reference(x, y, z, scalars).
template <typename T, typename E, typename Reference>
void CheckMap(E, Reference reference, const std::vector<T>& scalars) {
  const std::size_t lanes = hn::Lanes(hn::ScalableTag<T>());
  const double tol = std::is_same_v<T, float> ? 4e-6 : 1e-14;
  for (std::size_t n = 0; n <= 3 * lanes + 1; ++n) {
    for (std::size_t offset = 0; offset < 2; ++offset) {
      const auto a = RandomVector<T>(n + offset, -2, 2, 1), b = RandomVector<T>(n + offset, -2, 2, 2),
                 c = RandomVector<T>(n + offset, 0.5, 2, 3);
      const T* in[] = {a.data() + offset, b.data() + offset, c.data() + offset};
      std::vector<T> out(n + offset + lanes, T(7));
      Map<E>(in, scalars.data(), out.data() + offset, n);
      for (std::size_t i = 0; i < n; ++i) {
        const double want = reference(double(in[0][i]), double(in[1][i]), double(in[2][i]));
        EXPECT_LE(std::abs(out[offset + i] - want), tol * (1 + std::abs(want))) << "n=" << n << " i=" << i;
      }
      for (std::size_t i = offset + n; i < out.size(); ++i) ASSERT_EQ(out[i], T(7)) << "wrote past the end, n=" << n;
    }
  }
}

template <typename T>
void CheckCompositeExpressions() {
  const std::vector<T> s = {T(0.25), T(-1.5), T(3.0), T(0.5)};
  // (x − m)·r·g + b: GroupNorm's normalise-and-affine, scalars broadcast.
  CheckMap<T>((x - scalar<0>) * scalar<1> * scalar<2> + scalar<3>,
              [&](double a, double, double) { return (a - s[0]) * s[1] * s[2] + s[3]; }, s);
  // Every multiply-add shape the evaluator fuses.
  CheckMap<T>(x * y + z, [](double a, double b, double c) { return a * b + c; }, s);
  CheckMap<T>(z + x * y, [](double a, double b, double c) { return c + a * b; }, s);
  CheckMap<T>(x * y + z * x, [](double a, double b, double c) { return a * b + c * a; }, s);
  CheckMap<T>(x * y - z, [](double a, double b, double c) { return a * b - c; }, s);
  CheckMap<T>(z - x * y, [](double a, double b, double c) { return c - a * b; }, s);
  CheckMap<T>(x * y - z * x, [](double a, double b, double c) { return a * b - c * a; }, s);
  // Constants, select, comparisons, min/max, nested math.
  CheckMap<T>(select(x > y, x * constant<2.0>, y - constant<1.0>),
              [](double a, double b, double) { return a > b ? 2 * a : b - 1; }, s);
  CheckMap<T>(select(x < constant<0.0>, -x, abs(y)), [](double a, double b, double) { return a < 0 ? -a : std::abs(b); },
              s);
  CheckMap<T>(min(x, y) + max(y, z), [](double a, double b, double c) { return std::min(a, b) + std::max(b, c); }, s);
  CheckMap<T>(sqrt(z) * rsqrt(z) + log(z) / exp(x),
              [](double a, double, double c) { return std::sqrt(c) / std::sqrt(c) + std::log(c) / std::exp(a); }, s);
  CheckMap<T>(x * sigmoid(scalar<2> * x) + tanh(y),
              [&](double a, double b, double) { return a / (1 + std::exp(-s[2] * a)) + std::tanh(b); }, s);
}

// Edge values the math nodes must get right: overflow to inf, NaN propagation through relu-like max.
template <typename T>
void CheckEdgeValues() {
  const T inf = std::numeric_limits<T>::infinity();
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const std::vector<T> in_values = {T(1000), T(-1000), nan, T(0), T(-0.0)};
  const T* in[] = {in_values.data()};
  std::vector<T> out(in_values.size() + 16);  // slack: GCC cannot see the tail store is masked
  Map<decltype(exp(x))>(in, static_cast<const T*>(nullptr), out.data(), in_values.size());
  EXPECT_EQ(out[0], inf);
  EXPECT_EQ(out[1], T(0));
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], T(1));
  Map<decltype(sigmoid(x))>(in, static_cast<const T*>(nullptr), out.data(), in_values.size());
  EXPECT_EQ(out[0], T(1));
  EXPECT_EQ(out[1], T(0));
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], T(0.5));
  Map<decltype(max(x, constant<0.0>))>(in, static_cast<const T*>(nullptr), out.data(), in_values.size());
  EXPECT_EQ(out[0], T(1000));
  EXPECT_EQ(out[1], T(0));
  EXPECT_TRUE(std::isnan(out[2])) << "relu must propagate NaN";
  Map<decltype(tanh(x))>(in, static_cast<const T*>(nullptr), out.data(), in_values.size());
  EXPECT_EQ(out[0], T(1));
  EXPECT_EQ(out[1], T(-1));
  EXPECT_TRUE(std::isnan(out[2]));
  Map<decltype(log(x))>(in, static_cast<const T*>(nullptr), out.data(), in_values.size());
  EXPECT_NEAR(out[0], std::log(1000.0), 1e-5);
  EXPECT_TRUE(std::isnan(out[1])) << "log of a negative number is NaN";
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], -inf);
  EXPECT_EQ(out[4], -inf);
  const std::vector<T> infinite = {inf};
  const T* in_inf[] = {infinite.data()};
  Map<decltype(log(x))>(in_inf, static_cast<const T*>(nullptr), out.data(), 1);
  EXPECT_EQ(out[0], inf);
}

// Σx, Σx², Σ exp(x) in one pass. exp(0) = 1 checks that masked-off tail lanes are not counted.
template <typename T>
void CheckFusedSums() {
  const std::size_t lanes = hn::Lanes(hn::ScalableTag<T>());
  const std::size_t lengths[] = {0, 1, lanes - 1, lanes, lanes + 1, 3 * lanes + 1, 32 * lanes, 32 * lanes + 3, 1000};
  for (std::size_t n : lengths) {
    for (std::size_t offset = 0; offset < 2; ++offset) {
      const auto v = RandomVector<T>(n + offset, -3, 3, static_cast<unsigned>(n));
      const T* in[] = {v.data() + offset};
      double sums[3];
      SumReduce<decltype(x), decltype(x * x), decltype(exp(x))>(in, static_cast<const T*>(nullptr), n, sums);
      double want[3] = {0, 0, 0};
      for (std::size_t i = 0; i < n; ++i) {
        const double e = in[0][i];
        want[0] += e;
        want[1] += e * e;
        want[2] += std::exp(e);
      }
      const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
      for (int r = 0; r < 3; ++r) {
        EXPECT_NEAR(sums[r], want[r], tol * (1 + std::abs(want[r]) + n)) << "sum " << r << ", n=" << n;
      }
    }
  }
}

// Streamed stores (Store::streamed: a masked head up to the first aligned vector, non-temporal stores,
// a masked tail) write exactly what cached ones do, at every alignment of out and every length, and
// nothing before or after it.
template <typename T>
void CheckStreamedStores() {
  const std::size_t lanes = hn::Lanes(hn::ScalableTag<T>());
  const T sentinel = T(7);
  for (std::size_t n = 0; n <= 3 * lanes + 1; ++n) {
    for (std::size_t offset = 0; offset <= lanes; ++offset) {
      const auto a = RandomVector<T>(n, -2, 2, 1), b = RandomVector<T>(n, -2, 2, 2), c = RandomVector<T>(n, -2, 2, 3);
      const T* in[] = {a.data(), b.data(), c.data()};
      // Aligned storage, so that `offset` alone sets out's alignment.
      const std::size_t size = n + 2 * lanes + 1;
      const auto cached = hwy::AllocateAligned<T>(size), streamed = hwy::AllocateAligned<T>(size);
      for (T* buffer : {cached.get(), streamed.get()}) std::fill_n(buffer, size, sentinel);
      Map<decltype(x * y + z)>(in, static_cast<const T*>(nullptr), cached.get() + offset, n);
      Map<decltype(x * y + z), Store::streamed>(in, static_cast<const T*>(nullptr), streamed.get() + offset, n);
      hwy::FlushStream();
      ASSERT_TRUE(std::equal(streamed.get(), streamed.get() + size, cached.get()))
          << "Map, n=" << n << " offset=" << offset;
    }
  }
}

// MapAccumulateSumReduce with an output E = x·y + z (its value seen as stream<3>) and without one:
// out equals Map's, each accumulator gets its expression added once per element, the sums equal
// float64 sums, and nothing before or after the n elements is touched, at every length through
// several summation blocks and every alignment.
template <typename T>
void CheckMapAccumulateSumReduce() {
  const std::size_t lanes = hn::Lanes(hn::ScalableTag<T>());
  const T sentinel = T(7);
  constexpr auto computed = stream<3>;
  for (std::size_t n = 0; n <= 40 * lanes + 1; n += (n < 3 * lanes + 1 ? 1 : 5 * lanes - 1)) {
    for (std::size_t offset = 0; offset <= 1; ++offset) {
      const auto a = RandomVector<T>(n, -2, 2, 1), b = RandomVector<T>(n, -2, 2, 2), c = RandomVector<T>(n, -2, 2, 3);
      const T* in[] = {a.data(), b.data(), c.data()};
      std::vector<T> mapped(n + 2, sentinel), want_out(n, T(0));
      Map<decltype(x * y + z)>(in, static_cast<const T*>(nullptr), want_out.data(), n);
      for (const bool with_output : {true, false}) {
        std::vector<T> products(n + offset + 1, T(1)), sums_of_z(n + 1, T(2));
        products.back() = sums_of_z.back() = sentinel;
        T* acc[] = {products.data() + offset, sums_of_z.data()};
        double sums[2];
        if (with_output) {
          MapAccumulateSumReduce<decltype(x * y + z)>(Accumulated<decltype(x * y), decltype(computed)>{},
                                                      Summed<decltype(computed), decltype(computed * x)>{}, in,
                                                      static_cast<const T*>(nullptr), mapped.data() + 1, acc, n, sums);
          ASSERT_EQ(mapped.front(), sentinel) << "n=" << n;
          ASSERT_EQ(mapped.back(), sentinel) << "n=" << n;
          ASSERT_TRUE(std::equal(want_out.begin(), want_out.end(), mapped.begin() + 1)) << "n=" << n;
        } else {
          MapAccumulateSumReduce<NoOutput>(Accumulated<decltype(x * y), decltype(z)>{},
                                           Summed<decltype(x * y + z), decltype((x * y + z) * x)>{}, in,
                                           static_cast<const T*>(nullptr), static_cast<T*>(nullptr), acc, n, sums);
        }
        double want[2] = {0, 0};
        for (std::size_t i = 0; i < n; ++i) {
          const double product = 1.0 + double(a[i]) * double(b[i]);  // fused or not, within 2 roundings of T
          ASSERT_NEAR(products[offset + i], product, 4 * std::numeric_limits<T>::epsilon() * (1 + std::abs(product)))
              << "n=" << n << " i=" << i;
          const double z_term = with_output ? double(want_out[i]) : double(c[i]);
          ASSERT_NEAR(sums_of_z[i], 2.0 + z_term, 4 * std::numeric_limits<T>::epsilon() * (2 + std::abs(z_term)))
              << "n=" << n << " i=" << i;
          const double value = double(a[i]) * double(b[i]) + double(c[i]);
          want[0] += value;
          want[1] += value * double(a[i]);
        }
        ASSERT_EQ(products.back(), sentinel) << "n=" << n;
        ASSERT_EQ(sums_of_z.back(), sentinel) << "n=" << n;
        const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
        for (int k = 0; k < 2; ++k) {
          EXPECT_NEAR(sums[k], want[k], tol * (1 + std::abs(want[k]) + n)) << "sum " << k << ", n=" << n;
        }
      }
    }
  }
}

void TestCompositeExpressions() {
  CheckCompositeExpressions<float>();
  CheckCompositeExpressions<double>();
}
void TestEdgeValues() {
  CheckEdgeValues<float>();
  CheckEdgeValues<double>();
}
void TestFusedSums() {
  CheckFusedSums<float>();
  CheckFusedSums<double>();
}
void TestMapAccumulateSumReduce() {
  CheckMapAccumulateSumReduce<float>();
  CheckMapAccumulateSumReduce<double>();
}
void TestStreamedStores() {
  CheckStreamedStores<float>();
  CheckStreamedStores<double>();
}

}  // namespace lucid::expr::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::expr {
HWY_BEFORE_TEST(ExprEvaluatorTest);
HWY_EXPORT_AND_TEST_P(ExprEvaluatorTest, TestCompositeExpressions);
HWY_EXPORT_AND_TEST_P(ExprEvaluatorTest, TestEdgeValues);
HWY_EXPORT_AND_TEST_P(ExprEvaluatorTest, TestFusedSums);
HWY_EXPORT_AND_TEST_P(ExprEvaluatorTest, TestMapAccumulateSumReduce);
HWY_EXPORT_AND_TEST_P(ExprEvaluatorTest, TestStreamedStores);
}  // namespace lucid::expr
#endif  // HWY_ONCE
