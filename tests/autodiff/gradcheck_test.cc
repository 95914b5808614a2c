// gradcheck itself: it must fail for wrong gradients (naming the worst element with the right
// numbers), pass for right ones, honour its options, and handle its inputs carefully.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using autograd::gradcheck;
using autograd::GradcheckResult;
using autograd::gradgradcheck;
using In = std::vector<Tensor>;

// Value x², but the graph sees x·c with c = x a constant: analytic gradient x, numeric 2x
// (the perturbation moves the detached copy too, as it shares storage).
Tensor wrong_square(const In& in) {
  const Tensor x = in[0];
  return x * x.detach() * 1.0 + x.detach() * x.detach() * 0.0;
}

// Value eˣ with a correct first derivative eˣ whose own graph is cut: the second derivative the
// engine sees is 0 instead of eˣ.
Tensor exp_with_cut_backward(const In& in) {
  const Tensor c = in[0].detach();
  return exp(c) * (in[0] - c + 1.0);
}

TEST(Gradcheck, FailsForAWrongGradientAndNamesTheWorstElement) {
  const Tensor x = tensor(std::vector<double>{0.5, -3.0, 1.25, 2.0}, {4}, true);
  const GradcheckResult r = gradcheck(wrong_square, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(static_cast<bool>(r));
  // |analytic − numeric| = |x| is largest where |x| is: element 1 (x = −3), on the diagonal.
  EXPECT_EQ(r.input, 0u);
  EXPECT_EQ(r.input_element, 1);
  EXPECT_EQ(r.output_element, 1);
  EXPECT_NEAR(r.analytic, -3.0, 1e-12);
  EXPECT_NEAR(r.numeric, -6.0, 1e-6);
  EXPECT_TRUE(contains(r.message, "input 0[1]"));
  EXPECT_TRUE(contains(r.message, "output[1]"));
  EXPECT_TRUE(contains(r.message, "analytic -3"));
  EXPECT_TRUE(contains(r.message, "numeric -6"));
}

TEST(Gradcheck, GTestHelperReportsTheFailure) {
  const Tensor x = tensor(std::vector<double>{1.0, 2.0}, {2}, true);
  const ::testing::AssertionResult r = lucid::testing::gradcheck_passes(wrong_square, {x});
  EXPECT_FALSE(r);
  EXPECT_TRUE(contains(r.message(), "analytic"));
  EXPECT_TRUE(contains(r.message(), "numeric"));
}

TEST(Gradcheck, PassesForACorrectGradient) {
  const Tensor x = tensor(std::vector<double>{0.5, -3.0, 1.25}, {3}, true);
  const GradcheckResult r = gradcheck([](const In& in) { return in[0] * in[0]; }, {x});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(contains(r.message, "passed"));
}

TEST(Gradcheck, ToleranceOptionsAreHonoured) {
  // |x − 2x| = |x| ≤ atol + rtol·|2x| holds for rtol = 0.6, not for the default 1e-3.
  const Tensor x = tensor(std::vector<double>{1.0, -2.0}, {2}, true);
  EXPECT_FALSE(gradcheck(wrong_square, {x}).ok);
  EXPECT_TRUE(gradcheck(wrong_square, {x}, {.eps = 1e-6, .atol = 0.0, .rtol = 0.6}).ok);
  EXPECT_FALSE(gradcheck(wrong_square, {x}, {.eps = 1e-6, .atol = 0.0, .rtol = 0.4}).ok);
}

TEST(Gradcheck, ReportsTheOriginalIndexOfTheFailingInput) {
  const Tensor c = tensor(std::vector<double>{1.0}, {1});  // not checked
  const Tensor x = tensor(std::vector<double>{2.0}, {1}, true);
  const GradcheckResult r = gradcheck([](const In& in) { return wrong_square({in[1]}) + in[0]; }, {c, x});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.input, 1u);
  EXPECT_NEAR(r.analytic, 2.0, 1e-12);
  EXPECT_NEAR(r.numeric, 4.0, 1e-6);
}

TEST(Gradcheck, ThrowsWhenNoInputRequiresGrad) {
  const Tensor x = tensor(std::vector<double>{1.0}, {1});
  EXPECT_THROW(gradcheck([](const In& in) { return in[0] * 2.0; }, {x}), ValueError);
  EXPECT_THROW(gradgradcheck([](const In& in) { return in[0] * 2.0; }, {x}), ValueError);
}

TEST(Gradcheck, ThrowsWhenFnDoesNotReturnFloat64) {
  const Tensor x = tensor(std::vector<double>{1.0}, {1}, true);
  EXPECT_THROW(gradcheck([](const In& in) { return in[0].to(float32); }, {x}), ValueError);
}

TEST(Gradcheck, Float32InputsAreCheckedInFloat64) {
  const Tensor x = tensor({0.5, 1.5, -2.0}, {3}, /*requires_grad=*/true);
  ASSERT_EQ(x.dtype(), float32);
  bool saw_only_float64 = true;
  const GradcheckResult r = gradcheck(
      [&saw_only_float64](const In& in) {
        saw_only_float64 = saw_only_float64 && in[0].dtype() == float64;
        return tanh(in[0]) * in[0];
      },
      {x});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(saw_only_float64);
  // The caller's tensor is untouched: same dtype, values and no gradient.
  EXPECT_EQ(x.dtype(), float32);
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{0.5f, 1.5f, -2.0f}));
  EXPECT_FALSE(x.grad().defined());
}

TEST(Gradcheck, LeavesFloat64InputsUntouched) {
  const Tensor x = tensor(std::vector<double>{0.25, -1.0}, {2}, true);
  EXPECT_TRUE(gradcheck([](const In& in) { return exp(in[0]).sum(); }, {x}).ok);
  EXPECT_EQ(x.to_vector<double>(), (std::vector<double>{0.25, -1.0}));
  EXPECT_FALSE(x.grad().defined());
}

TEST(Gradgradcheck, CatchesAWrongSecondDerivativeThatGradcheckMisses) {
  const Tensor x = tensor(std::vector<double>{-0.5, 0.3, 1.0}, {3}, true);
  EXPECT_TRUE(gradcheck(exp_with_cut_backward, {x}).ok);
  const GradcheckResult r = gradgradcheck(exp_with_cut_backward, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(contains(r.message, "gradgradcheck"));
  EXPECT_NEAR(r.analytic, 0.0, 1e-12);  // the cut graph contributes nothing
  EXPECT_GT(std::abs(r.numeric), 1e-3);
}

TEST(Gradgradcheck, PassesForCorrectSecondDerivatives) {
  const Tensor x = tensor(std::vector<double>{-0.5, 0.3, 1.0}, {3}, true);
  EXPECT_GRADGRADCHECK([](const In& in) { return exp(in[0]); }, {x});
  const ::testing::AssertionResult r = lucid::testing::gradgradcheck_passes(exp_with_cut_backward, {x});
  EXPECT_FALSE(r);
  EXPECT_EQ(gradgradcheck([](const In& in) { return exp(in[0]); }, {x}).message, "gradgradcheck passed for 1 input(s)");
}

TEST(GradFunction, AScalarRootNeedsNoGradRoot) {
  const Tensor x = tensor(std::vector<double>{1.0, -2.0}, {2}, true);
  const std::vector<Tensor> g = autograd::grad((x * x).sum(), {x});
  EXPECT_EQ(g[0].to_vector<double>(), (std::vector<double>{2.0, -4.0}));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { autograd::grad(x * x, {x}); }),
                       "without grad_root the root must have one element, got shape (2,)"));
}

}  // namespace
}  // namespace lucid::test
