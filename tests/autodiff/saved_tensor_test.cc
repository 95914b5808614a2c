// Saved tensors and version counters: a backward whose saved input was written in place raises
// PyTorch's error instead of returning a silently wrong gradient; one whose op saved nothing of that
// input still returns the gradient of the values the forward saw.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

namespace F = nn::functional;

const char* const kModified = "one of the variables needed for gradient computation has been modified by an inplace operation";

// ---- the three cases of the issue, with PyTorch's wording ----

TEST(SavedTensor, ACopyIntoASavedLeafUnderNoGradRaisesOnBackward) {
  Tensor x = tensor({1.0, 2.0, 3.0}, {3}, /*requires_grad=*/false);
  Tensor w = tensor({0.5, -1.0, 2.0}, {3}, /*requires_grad=*/true);
  const Tensor y = (x * w).sum();
  EXPECT_EQ(x._version(), 0u);
  {
    autograd::no_grad guard;
    x.copy_(x * 2.0);
  }
  EXPECT_EQ(x._version(), 1u);
  const std::string message = error_message<RuntimeError>([&] { y.backward(); });
  EXPECT_TRUE(contains(message, kModified));
  EXPECT_TRUE(contains(message, "[MulBackward, shape (3,)] is at version 1; expected version 0 instead."));
  EXPECT_TRUE(contains(message, "clone"));
  EXPECT_FALSE(w.grad().defined());  // nothing was accumulated
}

TEST(SavedTensor, AWriteThroughAViewRaisesOnBackward) {
  Tensor a = tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3}, true);
  Tensor b = tensor({1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, {2, 3}, false);
  const Tensor y = (a * b).sum();
  Tensor view = b.reshape({6});
  view.fill_(0.0);
  EXPECT_EQ(b._version(), 1u);  // the view shares the counter
  const std::string message = error_message<RuntimeError>([&] { y.backward(); });
  EXPECT_TRUE(contains(message, "[MulBackward, shape (2, 3)] is at version 1; expected version 0 instead."));
}

TEST(SavedTensor, AnInPlaceWriteToALeafThatRequiresGradRaisesInGradModeOnly) {
  Tensor w = tensor({1.0, 2.0}, {2}, true);
  EXPECT_EQ(error_message<RuntimeError>([&] { w.copy_(tensor({3.0, 4.0}, {2})); }),
            "a leaf Variable that requires grad is being used in an in-place operation.");
  EXPECT_EQ(error_message<RuntimeError>([&] { w.add_(1.0); }),
            "a leaf Variable that requires grad is being used in an in-place operation.");
  Tensor view = w.reshape({2, 1});
  EXPECT_EQ(error_message<RuntimeError>([&] { view.mul_(2.0); }),
            "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  EXPECT_EQ(w.to_vector<double>(), (std::vector<double>{1.0, 2.0}));  // nothing was written
  EXPECT_EQ(w._version(), 0u);
  autograd::no_grad guard;
  w.copy_(tensor({3.0, 4.0}, {2}));
  EXPECT_EQ(w.to_vector<double>(), (std::vector<double>{3.0, 4.0}));
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
}

TEST(SavedTensor, VersionsCountEveryWriteAndAreSharedByViewsAndDetach) {
  Tensor t = zeros({2, 2}, float64);
  const Tensor view = t.reshape({4});
  const Tensor detached = t.detach();
  t.fill_(1.0);
  t.copy_(ones({2, 2}, float64));
  t.add_(1.0);
  EXPECT_EQ(t._version(), 3u);
  EXPECT_EQ(view._version(), 3u);
  EXPECT_EQ(detached._version(), 3u);
  EXPECT_EQ(t.clone()._version(), 0u);  // a copy has its own storage
}

TEST(SavedTensor, AnOptimizerStepBetweenTwoBackwardsThroughOneGraphRaises) {
  const nn::Parameter w(randn({3, 2}, float64));
  const Tensor x = randn({4, 3}, float64, true);
  optim::SGD opt({w}, {.lr = 0.1});
  const Tensor loss = matmul(x, w).pow(2.0).sum();  // MmBackward saves w for x's gradient
  loss.backward(Tensor(), /*retain_graph=*/true);
  const std::uint64_t before = w._version();
  opt.step();
  EXPECT_EQ(w._version(), before + 1);
  EXPECT_TRUE(contains(error_message<RuntimeError>([&] { loss.backward(); }), "[MmBackward, shape (3, 2)]"));
}

// ---- every op family that saves tensors ----

// One differentiable function of float64 leaves, and which leaves its backward saves.
struct SavedCase {
  std::string name;
  std::function<Tensor(const std::vector<Tensor>&)> fn;
  std::function<std::vector<Tensor>()> inputs;
  std::vector<bool> saved;  // per input: written in place after the forward, backward must raise
};

std::vector<Tensor> leaves(std::vector<Shape> shapes, double lo = 0.5, double hi = 2.0) {
  std::vector<Tensor> in;
  for (const Shape& s : shapes) in.push_back(uniform(s, lo, hi));
  return in;
}

std::vector<SavedCase> saved_cases() {
  const auto two = [] { return leaves({{2, 3}, {2, 3}}); };
  const auto one = [] { return leaves({{2, 3}}); };
  return {
      {"Mul", [](const auto& in) { return in[0] * in[1]; }, two, {true, true}},
      {"Div", [](const auto& in) { return in[0] / in[1]; }, two, {true, true}},
      {"AddSavesNothing", [](const auto& in) { return in[0] + in[1]; }, two, {false, false}},
      {"MulScalar", [](const auto& in) { return in[0] * 3.0; }, one, {false}},
      {"Exp", [](const auto& in) { return in[0].exp(); }, one, {true}},
      {"Log", [](const auto& in) { return in[0].log(); }, one, {true}},
      {"Sqrt", [](const auto& in) { return in[0].sqrt(); }, one, {true}},
      {"Sigmoid", [](const auto& in) { return in[0].sigmoid(); }, one, {true}},
      {"Tanh", [](const auto& in) { return in[0].tanh(); }, one, {true}},
      {"Silu", [](const auto& in) { return silu(in[0]); }, one, {true}},
      {"Clamp", [](const auto& in) { return clamp(in[0], 0.8, 1.5); }, one, {true}},
      {"Pow", [](const auto& in) { return in[0].pow(3.0); }, one, {true}},
      {"Matmul", [](const auto& in) { return matmul(in[0], in[1]); }, [] { return leaves({{2, 3}, {3, 4}}); },
       {true, true}},
      {"MmTransposedA", [](const auto& in) { return mm(in[0], in[1], true, false); },
       [] { return leaves({{3, 2}, {3, 4}}); }, {true, true}},
      {"MmTransposedB", [](const auto& in) { return mm(in[0], in[1], false, true); },
       [] { return leaves({{2, 3}, {4, 3}}); }, {true, true}},
      {"Linear", [](const auto& in) { return F::linear(in[0], in[1], in[2]); },
       [] { return leaves({{2, 3}, {4, 3}, {4}}); }, {true, true, false}},
      {"Conv2d",
       [](const auto& in) { return F::conv2d(in[0], in[1], in[2], {.padding = {1, 1}}); },
       [] { return leaves({{1, 2, 4, 4}, {3, 2, 3, 3}, {3}}); },
       {true, true, false}},
      {"GroupNorm", [](const auto& in) { return F::group_norm(in[0], 2, in[1], in[2], 1e-5); },
       [] { return leaves({{2, 4, 3}, {4}, {4}}); }, {true, true, false}},
      {"MaxPool2dRoutesByArgmax", [](const auto& in) { return F::max_pool2d(in[0], {{2, 2}, {2, 2}}); },
       [] { return leaves({{1, 1, 4, 4}}); }, {false}},
      {"AvgPool2d", [](const auto& in) { return F::avg_pool2d(in[0], {{2, 2}, {2, 2}}); },
       [] { return leaves({{1, 1, 4, 4}}); }, {false}},
      {"SumAndMean", [](const auto& in) { return in[0].sum({1}) + in[0].mean(); }, one, {false}},
      {"CrossEntropy",
       [](const auto& in) { return F::cross_entropy(in[0], tensor(std::vector<std::int64_t>{0, 2}, {2})); }, one,
       {false}},
      {"MseLoss", [](const auto& in) { return F::mse_loss(in[0], in[1]); }, two, {false, false}},
      {"Reshape", [](const auto& in) { return in[0].reshape({3, 2}) * 2.0; }, one, {false}},
      {"SoftmaxSavesItsOutput", [](const auto& in) { return in[0].softmax(1) * 2.0; }, one, {false}},
      {"LogSoftmaxSavesItsOutput", [](const auto& in) { return in[0].log_softmax(0) * 2.0; }, one, {false}},
      {"Logsumexp", [](const auto& in) { return in[0].logsumexp({1}); }, one, {false}},
      {"Amax", [](const auto& in) { return in[0].amax({1}); }, one, {true}},
      {"MaxAlongDimSavesIndices", [](const auto& in) { return std::get<0>(in[0].max(1)); }, one, {false}},
      {"Var", [](const auto& in) { return in[0].var({1}); }, one, {true}},
      {"Norm", [](const auto& in) { return in[0].norm(); }, one, {true}},
      {"Prod", [](const auto& in) { return in[0].prod({1}); }, one, {true}},
      {"Cumsum", [](const auto& in) { return in[0].cumsum(1); }, one, {false}},
      {"Softplus", [](const auto& in) { return in[0].softplus(2.0, 20.0); }, one, {true}},
      {"MaskedFillSavesTheMask", [](const auto& in) { return in[0].masked_fill(in[0] > 1.0, 0.0); }, one, {false}},
  };
}

class SavedTensorFamilies : public ::testing::TestWithParam<SavedCase> {};

// Writing input k after the forward either raises (its op saved it) or leaves every gradient as
// it was without the write: never a gradient of values the forward did not see.
TEST_P(SavedTensorFamilies, WritingAnInputAfterTheForwardRaisesOrChangesNoGradient) {
  const SavedCase& c = GetParam();
  for (std::size_t k = 0; k < c.saved.size(); ++k) {
    manual_seed(3);
    const std::vector<Tensor> reference_in = c.inputs();
    c.fn(reference_in).sum().backward();
    manual_seed(3);
    const std::vector<Tensor> in = c.inputs();
    const Tensor loss = c.fn(in).sum();
    {
      autograd::no_grad guard;
      Tensor(in[k]).mul_(1.5);
    }
    if (c.saved[k]) {
      const std::string message = error_message<RuntimeError>([&] { loss.backward(); });
      EXPECT_TRUE(contains(message, kModified)) << "input " << k;
      EXPECT_TRUE(contains(message, "is at version 1; expected version 0")) << "input " << k;
    } else {
      loss.backward();
      for (std::size_t j = 0; j < in.size(); ++j) {
        EXPECT_EQ(in[j].grad().to_vector<double>(), reference_in[j].grad().to_vector<double>())
            << "input " << k << " written, gradient of input " << j;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Families, SavedTensorFamilies, ::testing::ValuesIn(saved_cases()), ParamName());

// The composite backward that create_graph records saves its tensors too: writing one between the
// first and the second backward raises.
TEST(SavedTensor, DoubleBackwardPathsCheckTheirSavedTensors) {
  const Tensor x = uniform({2, 4, 3}, 0.5, 2.0);
  Tensor w = uniform({4}, 0.5, 2.0);
  const Tensor y = F::group_norm(x, 2, w, Tensor(), 1e-5);
  const std::vector<Tensor> dx = autograd::grad((y * y).sum(), {x}, ones({}, float64), false, /*create_graph=*/true);
  {
    autograd::no_grad guard;
    w.mul_(2.0);
  }
  EXPECT_TRUE(contains(error_message<RuntimeError>([&] { dx[0].sum().backward(); }), kModified));

  const Tensor a = uniform({3}, 0.5, 2.0), b = uniform({3}, 0.5, 2.0);
  const std::vector<Tensor> da = autograd::grad((a * b * b).sum(), {a}, ones({}, float64), false, true);
  {
    autograd::no_grad guard;
    Tensor(b).add_(1.0);
  }
  EXPECT_TRUE(contains(error_message<RuntimeError>([&] { da[0].sum().backward(); }), kModified));
}

}  // namespace
}  // namespace lucid::test
