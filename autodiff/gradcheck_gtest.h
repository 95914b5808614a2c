// GoogleTest helpers: check the gradients of your own function in one line.
//
//   TEST(MyOp, Gradients) {
//     auto x = lucid::randn({3, 4}, lucid::float64, /*requires_grad=*/true);
//     EXPECT_GRADCHECK([](const auto& in) { return my_op(in[0]); }, {x});
//   }
//
// On failure the message names the worst element (input, element, analytic vs numeric value).
#pragma once

#include <gtest/gtest.h>

#include "autodiff/gradcheck.h"

namespace lucid::testing {

inline ::testing::AssertionResult gradcheck_passes(const autograd::DifferentiableFn& fn,
                                                   const std::vector<Tensor>& inputs,
                                                   const autograd::GradcheckOptions& options = {}) {
  const autograd::GradcheckResult result = autograd::gradcheck(fn, inputs, options);
  return result.ok ? ::testing::AssertionSuccess() : ::testing::AssertionFailure() << result.message;
}

inline ::testing::AssertionResult gradgradcheck_passes(const autograd::DifferentiableFn& fn,
                                                       const std::vector<Tensor>& inputs,
                                                       const autograd::GradcheckOptions& options = {}) {
  const autograd::GradcheckResult result = autograd::gradgradcheck(fn, inputs, options);
  return result.ok ? ::testing::AssertionSuccess() : ::testing::AssertionFailure() << result.message;
}

}  // namespace lucid::testing

// EXPECT_GRADCHECK(fn, inputs[, options]): fn takes const std::vector<lucid::Tensor>& and returns a
// Tensor. Variadic so that commas inside a lambda or a braced input list need no extra parentheses.
#define EXPECT_GRADCHECK(...) EXPECT_TRUE(::lucid::testing::gradcheck_passes(__VA_ARGS__))
#define ASSERT_GRADCHECK(...) ASSERT_TRUE(::lucid::testing::gradcheck_passes(__VA_ARGS__))
#define EXPECT_GRADGRADCHECK(...) EXPECT_TRUE(::lucid::testing::gradgradcheck_passes(__VA_ARGS__))
