// Losses with masked classes (logit −inf, the usual way to exclude classes): finite as in PyTorch.
// Expected values printed by PyTorch 1.13 (float64):
//   x = torch.tensor([[-inf, 0., 1.], [2., -inf, .5]], dtype=torch.float64, requires_grad=True)
//   F.cross_entropy(x, torch.tensor([1, 0]), label_smoothing=ls, reduction=r); .backward() for the mean
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

namespace F = nn::functional;

constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor masked_logits() { return tensor(std::vector<double>{-kInf, 0.0, 1.0, 2.0, -kInf, 0.5}, {2, 3}, true); }
Tensor targets() { return tensor(std::vector<std::int64_t>{1, 0}, {2}); }

TEST(MaskedLogits, CrossEntropyIsFiniteAndMatchesPyTorch) {
  for (DType dtype : {float64, float32}) {
    const double tol = dtype == float64 ? 1e-12 : 1e-6;
    const Tensor x = masked_logits().detach().to(dtype).requires_grad_();
    const Tensor mean = F::cross_entropy(x, targets());
    expect_values_near(mean, {}, {0.7573374827504876}, tol);
    expect_values_near(F::cross_entropy(x, targets(), 0.0, F::Reduction::kSum), {}, {1.5146749655009752}, tol);
    expect_values_near(F::cross_entropy(x, targets(), 0.0, F::Reduction::kNone), {2},
                       {1.31326169, 0.20141328}, 1e-6);
    mean.backward();
    expect_values_near(x.grad(), {2, 3}, {0.0, -0.3655, 0.3655, -0.0912, 0.0, 0.0912}, 1e-4);
  }
}

TEST(MaskedLogits, NllLossOfLogSoftmaxMatchesPyTorch) {
  const Tensor x = masked_logits();
  const Tensor loss = F::nll_loss(F::log_softmax(x), targets());
  expect_values_near(loss, {}, {0.7573374827504876}, 1e-12);
  loss.backward();
  expect_values_near(x.grad(), {2, 3}, {0.0, -0.3655, 0.3655, -0.0912, 0.0, 0.0912}, 1e-4);
}

TEST(MaskedLogits, LabelSmoothingGivesInfinityAsPyTorch) {
  // Smoothing puts weight on the masked class, whose log-probability is −inf: PyTorch returns inf.
  const Tensor loss = F::cross_entropy(masked_logits(), targets(), 0.1, F::Reduction::kNone);
  EXPECT_EQ(loss.to_vector<double>(), (std::vector<double>{kInf, kInf}));
}

// Class probabilities q are differentiable: ∂loss/∂q_c = −log softmax(x)_c for every class, also where
// q_c = 0 (lucid gave 0 there). PyTorch 1.13: F.cross_entropy(x, q, reduction="sum") with x = [[0, 1, 2]],
// q = [[0, .25, .75]] gives q.grad = [[2.4076059644, 1.4076059644, 0.4076059644]].
TEST(MaskedLogits, ProbabilityTargetGradientIsMinusLogProbabilityAlsoWhereZero) {
  for (DType dtype : {float64, float32}) {
    const Tensor x = tensor(std::vector<double>{0.0, 1.0, 2.0}, {1, 3}).to(dtype);
    const Tensor q = tensor(std::vector<double>{0.0, 0.25, 0.75}, {1, 3}).to(dtype).requires_grad_();
    F::cross_entropy(x, q, 0.0, F::Reduction::kSum).backward();
    expect_values_near(q.grad(), {1, 3}, {2.4076059644443806, 1.4076059644443806, 0.4076059644443806},
                       dtype == float64 ? 1e-12 : 1e-6);
  }
}

// A class with q = 0 and logit −inf adds nothing, to the loss or to q's gradient: lucid's choice, so that
// masking stays finite with probability targets too. (PyTorch 1.13 computes 0·(−inf): loss NaN, and
// q.grad = +inf there; tests/modules/differential_test.cc lists it in kKnownDivergences.)
TEST(MaskedLogits, ProbabilityTargetsWithZeroOnMaskedClassesStayFinite) {
  const Tensor x = masked_logits();
  const Tensor q = tensor(std::vector<double>{0.0, 0.5, 0.5, 1.0, 0.0, 0.0}, {2, 3}, true);
  const Tensor loss = F::cross_entropy(x, q, 0.0, F::Reduction::kNone);
  // −Σ q·log softmax over the finite classes; log softmax from PyTorch 1.13 (F.log_softmax(x, 1)):
  // [[-inf, -1.3132616875182228, -0.31326168751822286], [-0.20141327798275246, -inf, -1.7014132779827524]].
  expect_values_near(loss, {2}, {0.8132616875182228, 0.2014132779827524}, 1e-12);
  loss.sum().backward();
  EXPECT_EQ(q.grad().to_vector<double>()[0], 0.0);
  EXPECT_EQ(q.grad().to_vector<double>()[4], 0.0);
  EXPECT_NEAR(q.grad().to_vector<double>()[5], 1.7014132779827524, 1e-12);  // −log p, q = 0, logit finite
}

}  // namespace
}  // namespace lucid::test
