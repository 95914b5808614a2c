// Small helpers shared by the test suites: element-wise comparisons and test inputs with a known
// domain. Expected values always come from the test itself (closed form or float64 loops here).
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lucid.h"

namespace lucid::test {

// Checks shape and every element of t against expected (row-major), each within tol.
inline void expect_values_near(const Tensor& t, const Shape& shape, const std::vector<double>& expected,
                               double tol) {
  ASSERT_EQ(t.shape(), shape);
  const std::vector<double> got = t.to_vector<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isfinite(expected[i])) {
      EXPECT_NEAR(got[i], expected[i], tol) << "element " << i;
    } else if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << ": " << got[i];
    } else {
      EXPECT_EQ(got[i], expected[i]) << "element " << i;  // ±inf exactly
    }
  }
}

// Checks that two runs, on 1 and on 2 threads, gave bit-identical values; names the first element
// that differs.
inline void expect_bit_identical_on_one_and_two_threads(const std::vector<float>& one, const std::vector<float>& two,
                                                        const std::string& what) {
  ASSERT_EQ(one.size(), two.size()) << what;
  for (std::size_t i = 0; i < one.size(); ++i) {
    if (std::bit_cast<std::uint32_t>(one[i]) != std::bit_cast<std::uint32_t>(two[i])) {
      ADD_FAILURE() << what << " first differs at element " << i << ": " << one[i] << " on 1 thread, " << two[i]
                    << " on 2 threads";
      return;
    }
  }
}

// The values of x mapped through f, in float64.
inline std::vector<double> map_values(const Tensor& x, const std::function<double(double)>& f) {
  std::vector<double> v = x.to_vector<double>();
  for (double& e : v) e = f(e);
  return v;
}

// 1-D leaf (default dtype) holding `values`, requiring grad.
inline Tensor leaf(const std::vector<double>& values) {
  const auto n = static_cast<std::int64_t>(values.size());
  return tensor(values, {n}).requires_grad_();
}

// float64 leaf with values uniform in [lo, hi).
inline Tensor uniform(const Shape& shape, double lo, double hi, bool requires_grad = true) {
  Tensor t = rand(shape, float64);
  double* p = t.data<double>();
  for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = lo + (hi - lo) * p[i];
  return t.requires_grad_(requires_grad);
}

// float64 leaf with standard-normal values pushed at least `margin` away from 0 (for relu's kink).
inline Tensor away_from_zero(const Shape& shape, double margin = 0.2, bool requires_grad = true) {
  Tensor t = randn(shape, float64);
  double* p = t.data<double>();
  for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = p[i] < 0 ? p[i] - margin : p[i] + margin;
  return t.requires_grad_(requires_grad);
}

// EXPECT_TRUE(contains(text, part)): prints both on failure.
inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

// Names parameterised tests after their parameter's `name` member (INSTANTIATE_TEST_SUITE_P's last argument).
struct ParamName {
  template <typename P>
  std::string operator()(const ::testing::TestParamInfo<P>& param_info) const {
    return param_info.param.name;
  }
};

// The message of the exception `fn` throws as E; fails the test when it throws nothing or another type.
template <typename E, typename Fn>
std::string error_message(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a different exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

}  // namespace lucid::test
