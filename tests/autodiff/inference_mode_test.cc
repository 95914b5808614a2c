// autograd::inference_mode: no graph recorded inside the scope, the flag and grad mode restored after
// it, and tensors made inside it usable in autograd afterwards (lucid has no inference tensors).
#include <gtest/gtest.h>

#include <stdexcept>

#include "autodiff/inference_mode.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using autograd::inference_mode;
using autograd::is_grad_enabled;
using autograd::is_inference_mode_enabled;

TEST(InferenceMode, RecordsNothingAndRestoresBothFlags) {
  const Tensor x = leaf({1, 2});
  ASSERT_FALSE(is_inference_mode_enabled());
  {
    inference_mode guard;
    EXPECT_TRUE(is_inference_mode_enabled());
    EXPECT_FALSE(is_grad_enabled());
    const Tensor y = exp(x * 2.0).sum();
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
  }
  EXPECT_FALSE(is_inference_mode_enabled());
  EXPECT_TRUE(is_grad_enabled());
  EXPECT_TRUE((x * 2.0).requires_grad());
}

TEST(InferenceMode, DisabledGuardKeepsGradModeAndClearsTheFlag) {
  inference_mode outer;
  {
    autograd::enable_grad on;
    inference_mode off(false);
    EXPECT_FALSE(is_inference_mode_enabled());
    EXPECT_TRUE(is_grad_enabled());
  }
  EXPECT_TRUE(is_inference_mode_enabled());
  EXPECT_FALSE(is_grad_enabled());
}

TEST(InferenceMode, RestoredWhenAnExceptionLeavesTheScope) {
  try {
    inference_mode guard;
    throw std::runtime_error("leave");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(is_inference_mode_enabled());
  EXPECT_TRUE(is_grad_enabled());
}

TEST(InferenceMode, TensorsMadeInsideAreOrdinaryAfterwards) {
  Tensor made;
  {
    inference_mode guard;
    made = ones({2}, float64) * 3.0;
  }
  const Tensor x = leaf({1, 1});
  (x * made).sum().backward();  // PyTorch would reject an inference tensor saved for backward
  expect_values_near(x.grad(), {2}, {3, 3}, 0.0);
  const std::uint64_t version = made._version();
  made.add_(1.0);  // and in-place writes outside the scope are fine, counted as usual
  EXPECT_EQ(made._version(), version + 1);
}

}  // namespace
}  // namespace lucid::test
