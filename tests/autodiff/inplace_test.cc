// Differentiable in-place ops: gradients equal to the out-of-place ops' (gradcheck in float64, and
// bit for bit), history rebased onto the in-place node (views included), retain_grad.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "autodiff/node.h"
#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

// An in-place op on h (a non-leaf) with operand o, and its out-of-place form.
struct InplaceCase {
  std::string name;
  std::function<void(Tensor& h, const Tensor& o)> inplace;
  std::function<Tensor(const Tensor& h, const Tensor& o)> out_of_place;
  Shape operand_shape = {2, 3};
};

std::vector<InplaceCase> inplace_cases() {
  return {
      {"AddTensor", [](Tensor& h, const Tensor& o) { h.add_(o); }, [](const Tensor& h, const Tensor& o) { return h + o; }},
      {"AddBroadcast", [](Tensor& h, const Tensor& o) { h.add_(o); },
       [](const Tensor& h, const Tensor& o) { return h + o; }, {3}},
      {"SubTensor", [](Tensor& h, const Tensor& o) { h.sub_(o); }, [](const Tensor& h, const Tensor& o) { return h - o; }},
      {"MulTensor", [](Tensor& h, const Tensor& o) { h.mul_(o); }, [](const Tensor& h, const Tensor& o) { return h * o; }},
      {"DivTensor", [](Tensor& h, const Tensor& o) { h.div_(o); }, [](const Tensor& h, const Tensor& o) { return h / o; }},
      {"AddScalar", [](Tensor& h, const Tensor& o) { h.add_(0.5).mul_(o); },
       [](const Tensor& h, const Tensor& o) { return (h + 0.5) * o; }},
      {"SubScalar", [](Tensor& h, const Tensor& o) { h.sub_(0.5).mul_(o); },
       [](const Tensor& h, const Tensor& o) { return (h - 0.5) * o; }},
      {"MulScalar", [](Tensor& h, const Tensor& o) { h.mul_(-1.5).add_(o); },
       [](const Tensor& h, const Tensor& o) { return h * -1.5 + o; }},
      {"DivScalar", [](Tensor& h, const Tensor& o) { h.div_(4.0).add_(o); },
       [](const Tensor& h, const Tensor& o) { return h / 4.0 + o; }},
      {"Clamp", [](Tensor& h, const Tensor& o) { h.mul_(o).clamp_(-0.5, 0.7); },
       [](const Tensor& h, const Tensor& o) { return clamp(h * o, -0.5, 0.7); }},
      {"Relu", [](Tensor& h, const Tensor& o) { h.mul_(o).relu_(); },
       [](const Tensor& h, const Tensor& o) { return relu(h * o); }},
      {"Sigmoid", [](Tensor& h, const Tensor& o) { h.mul_(o).sigmoid_(); },
       [](const Tensor& h, const Tensor& o) { return sigmoid(h * o); }},
      {"Tanh", [](Tensor& h, const Tensor& o) { h.mul_(o).tanh_(); },
       [](const Tensor& h, const Tensor& o) { return tanh(h * o); }},
      {"Silu", [](Tensor& h, const Tensor& o) { h.mul_(o).silu_(); },
       [](const Tensor& h, const Tensor& o) { return silu(h * o); }},
  };
}

class InplaceOps : public ::testing::TestWithParam<InplaceCase> {};

// h = x·1.25 (a non-leaf), then the op in place; the result is h.
Tensor run_inplace(const InplaceCase& c, const std::vector<Tensor>& in) {
  Tensor h = in[0] * 1.25;
  c.inplace(h, in[1]);
  return h;
}

TEST_P(InplaceOps, PassGradcheck) {
  manual_seed(5);
  const InplaceCase& c = GetParam();
  const std::vector<Tensor> in{away_from_zero({2, 3}), away_from_zero(c.operand_shape)};
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& x) { return run_inplace(c, x); }, in);
}

TEST_P(InplaceOps, MatchTheOutOfPlaceOpBitForBit) {
  manual_seed(6);
  const InplaceCase& c = GetParam();
  for (DType dtype : {float32, float64}) {
    const Tensor x0 = randn({2, 3}, dtype, true), o0 = randn(c.operand_shape, dtype, true);
    const Tensor x1 = x0.detach().requires_grad_(), o1 = o0.detach().requires_grad_();
    const Tensor reference = c.out_of_place(x0 * 1.25, o0);
    const Tensor result = run_inplace(c, {x1, o1});
    EXPECT_EQ(result.to_vector<double>(), reference.to_vector<double>());
    const Tensor seed = randn({2, 3}, dtype);
    reference.backward(seed);
    result.backward(seed);
    EXPECT_EQ(x1.grad().to_vector<double>(), x0.grad().to_vector<double>()) << dtype_name(dtype);
    EXPECT_EQ(o1.grad().to_vector<double>(), o0.grad().to_vector<double>()) << dtype_name(dtype);
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, InplaceOps, ::testing::ValuesIn(inplace_cases()), ParamName());

TEST(Inplace, TheTensorTakesTheInPlaceNodeAsItsGradFn) {
  const Tensor x = randn({3}, float64, true);
  Tensor h = x * 2.0;
  const std::uint64_t version = h._version();
  Tensor& same = h.relu_();
  EXPECT_EQ(&same, &h);
  EXPECT_EQ(h._version(), version + 1);
  ASSERT_TRUE(h.grad_fn());
  EXPECT_STREQ(h.grad_fn()->name(), "ReluBackward");
  h.sigmoid_();
  EXPECT_STREQ(h.grad_fn()->name(), "SigmoidBackward");
}

TEST(Inplace, AnOpOnATensorThatIsNotPartOfTheGraphMakesItOne) {
  Tensor h = zeros({3}, float64);
  const Tensor w = tensor(std::vector<double>{1.0, 2.0, 3.0}, {3}, true);
  h.add_(w).mul_(w);  // h = w·w
  ASSERT_TRUE(h.requires_grad());
  h.sum().backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{2.0, 4.0, 6.0}));
}

TEST(Inplace, AWriteOverAGraphValueCutsItsHistory) {
  const Tensor x = tensor(std::vector<double>{1.0, 2.0}, {2}, true);
  const Tensor w = tensor(std::vector<double>{3.0, 4.0}, {2}, true);
  Tensor h = x * 3.0;
  h.copy_(w * 2.0);  // h no longer depends on x
  (h * h).sum().backward();
  EXPECT_FALSE(x.grad().defined());
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{24.0, 32.0}));  // d(4w²)/dw = 8w
  Tensor k = x * 3.0;
  k.fill_(2.0);
  EXPECT_FALSE(k.requires_grad());  // a constant now
}

TEST(Inplace, AReluOnAViewRebasesItsBaseAndStaleViewsFollow) {
  const Tensor x = tensor(std::vector<double>{-1.0, 2.0, -3.0, 4.0, 5.0, -6.0}, {2, 3}, true);
  Tensor h = x * 1.0;
  const Tensor other_view = h.reshape({3, 2});  // made before the write
  Tensor view = h.reshape({6});
  view.relu_();
  // h, the view and the older view all read relu(x) now, and gradients flow through the relu.
  EXPECT_EQ(h.to_vector<double>(), (std::vector<double>{0.0, 2.0, 0.0, 4.0, 5.0, 0.0}));
  const Tensor loss = (h * h).sum() + (other_view * 3.0).sum();
  loss.backward();
  // d/dx [Σ relu(x)² + 3 Σ relu(x)] = (2 relu(x) + 3)·[x > 0]
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{0.0, 7.0, 0.0, 11.0, 13.0, 0.0}));
}

TEST(Inplace, OperandShapeAndDtypeRules) {
  Tensor h = zeros({2, 3}, float64);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { h.add_(ones({3, 3}, float64)); }),
                       "the operand of shape (3, 3) does not broadcast to this tensor's shape (2, 3)"));
  h.add_(ones({3}, float32));  // converted to h's dtype
  EXPECT_EQ(h.dtype(), float64);
  EXPECT_EQ(h.to_vector<double>(), std::vector<double>(6, 1.0));
}

TEST(Inplace, ReluInPlaceTwiceRaisesBecauseTheFirstSavedItsOutput) {
  const Tensor x = randn({4}, float64, true);
  Tensor h = x * 1.0;
  h.relu_();
  h.mul_(2.0);  // the first relu_'s saved output is overwritten
  EXPECT_TRUE(contains(error_message<RuntimeError>([&] { h.sum().backward(); }),
                       "[ReluBackward, shape (4,)] is at version 2; expected version 1 instead."));
}

TEST(RetainGrad, ANonLeafKeepsItsGradient) {
  const Tensor x = tensor(std::vector<double>{1.0, -2.0}, {2}, true);
  Tensor h = x * 3.0;
  h.retain_grad();
  EXPECT_TRUE(h.retains_grad());
  (h * h).sum().backward(Tensor(), /*retain_graph=*/true);
  EXPECT_EQ(h.grad().to_vector<double>(), (std::vector<double>{6.0, -12.0}));  // 2h
  (h * h).sum().backward();  // accumulates, as a leaf's does
  EXPECT_EQ(h.grad().to_vector<double>(), (std::vector<double>{12.0, -24.0}));
}

TEST(RetainGrad, FollowsTheTensorThroughAnInPlaceOp) {
  const Tensor x = tensor(std::vector<double>{1.0, -2.0}, {2}, true);
  Tensor h = x * 3.0;
  h.retain_grad();
  h.mul_(2.0);
  (h * h).sum().backward();
  EXPECT_EQ(h.grad().to_vector<double>(), (std::vector<double>{12.0, -24.0}));  // 2h of the new h
}

TEST(RetainGrad, WithoutItANonLeafGradIsUndefinedAndWarnsOnce) {
  const Tensor x = randn({2}, float64, true);
  const Tensor h = x * 3.0;
  (h * h).sum().backward();
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(h.grad().defined());
  EXPECT_FALSE(h.grad().defined());
  const std::string warnings = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(warnings, "not a leaf"));
  EXPECT_TRUE(contains(warnings, "retain_grad()"));
  EXPECT_EQ(warnings.find("not a leaf"), warnings.rfind("not a leaf"));  // once
}

// The same model with ReLU and with ReLU(inplace) trains to bit-identical weights.
std::vector<float> train_with(bool inplace) {
  manual_seed(21);
  nn::Sequential model(nn::Linear(6, 16), nn::ReLU({.inplace = inplace}), nn::Linear(16, 16),
                       nn::SiLU({.inplace = inplace}), nn::Linear(16, 3));
  optim::SGD opt(model.parameters(), {.lr = 0.05, .momentum = 0.9});
  const Tensor x = randn({32, 6});
  const Tensor target = randn({32, 3});
  for (int step = 0; step < 20; ++step) {
    opt.zero_grad();
    nn::functional::mse_loss(model(x), target).backward();
    opt.step();
  }
  std::vector<float> weights;
  for (const Tensor& p : model.parameters()) {
    const std::vector<float> v = p.to_vector<float>();
    weights.insert(weights.end(), v.begin(), v.end());
  }
  return weights;
}

TEST(Inplace, AModelWithInPlaceActivationsTrainsToTheSameWeightsBitForBit) {
  const std::vector<float> out_of_place = train_with(false), in_place = train_with(true);
  ASSERT_EQ(in_place.size(), out_of_place.size());
  for (std::size_t i = 0; i < in_place.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint32_t>(in_place[i]), std::bit_cast<std::uint32_t>(out_of_place[i])) << i;
  }
  EXPECT_EQ(nn::ReLU({.inplace = true}).extra_repr(), "inplace=True");
}

}  // namespace
}  // namespace lucid::test
