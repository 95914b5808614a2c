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

}  // namespace
}  // namespace lucid::test
