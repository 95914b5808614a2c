// autograd::detect_anomaly (autodiff/anomaly_mode.h): nodes recorded under the guard remember their
// forward op's input shapes; a backward pass under it stops at the first node whose output gradients
// hold NaN or ±Inf. Off, nothing is recorded and nothing is checked.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "autodiff/anomaly_mode.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using autograd::detect_anomaly;
using autograd::is_anomaly_enabled;

TEST(DetectAnomaly, GuardIsNestableAndRestoresTheMode) {
  EXPECT_FALSE(is_anomaly_enabled());
  {
    detect_anomaly outer;
    EXPECT_TRUE(is_anomaly_enabled());
    {
      detect_anomaly inner;
      EXPECT_TRUE(is_anomaly_enabled());
    }
    EXPECT_TRUE(is_anomaly_enabled());
  }
  EXPECT_FALSE(is_anomaly_enabled());
}

TEST(DetectAnomaly, IsThreadLocal) {
  detect_anomaly guard;
  bool other_thread = true;
  std::thread([&] { other_thread = is_anomaly_enabled(); }).join();
  EXPECT_FALSE(other_thread);
  EXPECT_TRUE(is_anomaly_enabled());
}

TEST(DetectAnomaly, NodesRememberTheirForwardOpOnlyUnderTheGuard) {
  const Tensor x = ones({2, 3}, float64, true);
  const Tensor b = ones({3}, float64, true);
  const Tensor plain = x + b;
  EXPECT_FALSE(plain.grad_fn()->extras);
  detect_anomaly guard;
  const Tensor watched = x + b;
  ASSERT_TRUE(watched.grad_fn()->extras && watched.grad_fn()->extras->anomaly);
  EXPECT_EQ(watched.grad_fn()->extras->anomaly->input_shapes, "(2, 3) and (3,)");
}

TEST(DetectAnomaly, NamesLogBackwardWhenLogOfZeroPoisonsTheGradient) {
  // d log(x)/dx = 1/x is +inf at x = 0, while the gradient reaching LogBackward (all ones) is finite.
  const Tensor x = tensor(std::vector<double>{1, 0, 2}, {3}, true);
  detect_anomaly guard;
  const Tensor y = x.log();
  const std::string msg = error_message<RuntimeError>([&] { y.sum().backward(); });
  EXPECT_TRUE(contains(msg, "Function 'LogBackward' returned inf values in its 0th output"));
  EXPECT_TRUE(contains(msg, "forward op 'Log' created from inputs of shape (3,)"));
  EXPECT_FALSE(x.grad().defined());  // the pass stopped before the leaf
}

TEST(DetectAnomaly, LogOfANegativeNumberIsCaughtAtTheFirstNodeWhoseGradientIsNaN) {
  // y = log(x) is NaN at x = -1. In (y·y).sum() the first backward to return NaN is MulBackward
  // (dy = 2y·g); LogBackward's own rule, g/x, would be finite. PyTorch reports the same node.
  const Tensor x = tensor(std::vector<double>{-1, 1, 2}, {3}, true);
  {
    const Tensor y = x.log();
    (y * y).sum().backward();  // without the guard: no error, a NaN gradient
    EXPECT_TRUE(std::isnan(x.grad().to_vector<double>()[0]));
    x.set_grad({});
  }
  detect_anomaly guard;
  const Tensor y = x.log();
  const std::string msg = error_message<RuntimeError>([&] { (y * y).sum().backward(); });
  EXPECT_TRUE(contains(msg, "Function 'MulBackward' returned nan values in its 0th output"));
  EXPECT_TRUE(contains(msg, "forward op 'Mul' created from inputs of shape (3,) and (3,)"));
  EXPECT_FALSE(x.grad().defined());
}

TEST(DetectAnomaly, ABackwardOutsideTheGuardChecksNothing) {
  const Tensor x = tensor(std::vector<double>{0}, {1}, true);
  Tensor y;
  {
    detect_anomaly guard;
    y = x.log().sum();
  }
  y.backward();
  EXPECT_EQ(x.grad().item(), INFINITY);
}

TEST(DetectAnomaly, AGraphRecordedOutsideTheGuardIsCheckedWithoutItsForwardOp) {
  const Tensor x = tensor(std::vector<double>{0}, {1}, true);
  const Tensor y = x.log().sum();
  detect_anomaly guard;
  const std::string msg = error_message<RuntimeError>([&] { y.backward(); });
  EXPECT_TRUE(contains(msg, "Function 'LogBackward' returned inf values"));
  EXPECT_TRUE(contains(msg, "ran outside detect_anomaly"));
}

TEST(DetectAnomaly, FiniteGradientsPassUnchanged) {
  const Tensor x = tensor(std::vector<double>{1, 2}, {2}, true);
  detect_anomaly guard;
  (x.log() * x).sum().backward();  // d(x log x) = log x + 1
  expect_values_near(x.grad(), {2}, {1.0, std::log(2.0) + 1.0}, 1e-12);
}

}  // namespace
}  // namespace lucid::test
