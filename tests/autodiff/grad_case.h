// One table-driven gradient test for every differentiable op: a GradCase names a function of
// float64 inputs; op_gradients_test.cc checks it with gradcheck (and gradgradcheck when asked),
// and each *_grad_test.cc instantiates the checks with its own table of cases.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {

struct GradCase {
  std::string name;  // letters, digits and '_' (a GoogleTest name)
  autograd::DifferentiableFn fn;
  std::function<std::vector<Tensor>()> inputs;  // fresh float64 leaves, drawn after manual_seed
  bool second_order = false;                    // also run gradgradcheck
  // Tighter than gradcheck's defaults (atol 1e-5, rtol 1e-3): float64 central differences with
  // eps 1e-6 are accurate to ~1e-9 for these smooth functions, so a 1e-4 relative slip shows.
  autograd::GradcheckOptions options = {.eps = 1e-6, .atol = 1e-7, .rtol = 1e-5};
};

inline std::ostream& operator<<(std::ostream& os, const GradCase& c) { return os << c.name; }

// The cases that also check second derivatives.
inline std::vector<GradCase> second_order(const std::vector<GradCase>& cases) {
  std::vector<GradCase> out;
  for (const GradCase& c : cases) {
    if (c.second_order) out.push_back(c);
  }
  return out;
}

// Input makers: float64 leaves that require grad.
inline std::function<std::vector<Tensor>()> normal_inputs(std::vector<Shape> shapes) {
  return [shapes] {
    std::vector<Tensor> in;
    for (const Shape& s : shapes) in.push_back(randn(s, float64, /*requires_grad=*/true));
    return in;
  };
}
// Values in [0.5, 2): inside the domain of log, sqrt, fractional powers and safe as divisors.
inline std::function<std::vector<Tensor>()> positive_inputs(std::vector<Shape> shapes) {
  return [shapes] {
    std::vector<Tensor> in;
    for (const Shape& s : shapes) in.push_back(uniform(s, 0.5, 2.0));
    return in;
  };
}

class OpGradients : public ::testing::TestWithParam<GradCase> {};
class OpSecondGradients : public ::testing::TestWithParam<GradCase> {};

}  // namespace lucid::test
