// Custom autograd Functions (autodiff/function.h): forward runs without recording, backward's
// gradients reach the inputs, checked against closed forms and float64 central differences (gradcheck,
// gradgradcheck); saved tensors are version-checked; bad backward results name the argument.
#include <gtest/gtest.h>

#include <any>
#include <cmath>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using autograd::Context;
using autograd::TensorList;

struct Cube : autograd::Function<Cube> {
  static Tensor forward(Context& ctx, const Tensor& x) {
    ctx.save_for_backward({x});
    return x * x * x;
  }
  static TensorList backward(Context& ctx, const TensorList& grad_outputs) {
    const Tensor x = ctx.saved_tensors()[0];
    return {grad_outputs[0] * x * x * 3.0};
  }
};

// y = c·x·w with a scalar c between the tensors; records which gradients backward was asked for.
struct ScaledProduct : autograd::Function<ScaledProduct> {
  static inline std::vector<bool> asked;
  static Tensor forward(Context& ctx, const Tensor& x, double c, const Tensor& w) {
    ctx.save_for_backward({x, w});
    ctx.saved_data["c"] = c;
    return x * w * c;
  }
  static TensorList backward(Context& ctx, const TensorList& grad_outputs) {
    const auto saved = ctx.saved_tensors();
    const double c = std::any_cast<double>(ctx.saved_data.at("c"));
    asked = {ctx.needs_input_grad(0), ctx.needs_input_grad(1), ctx.needs_input_grad(2)};
    Tensor dx, dw;
    if (ctx.needs_input_grad(0)) dx = grad_outputs[0] * saved[1] * c;
    if (ctx.needs_input_grad(2)) dw = grad_outputs[0] * saved[0] * c;
    return {dx, Tensor(), dw};
  }
};

TEST(CustomFunction, CubeGivesThreeXSquared) {
  Tensor x = tensor({-2.0, 0.5, 3.0}, {3}, /*requires_grad=*/true);
  const Tensor y = Cube::apply(x);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{-8.0f, 0.125f, 27.0f}));
  ASSERT_TRUE(y.grad_fn());
  EXPECT_TRUE(std::string(y.grad_fn()->name()).ends_with("CubeBackward")) << y.grad_fn()->name();
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{12.0f, 0.75f, 27.0f}));
}

TEST(CustomFunction, GradcheckAndGradgradcheckInFloat64) {
  const Tensor x = randn({3, 4}, float64, /*requires_grad=*/true);
  const Tensor w = randn({3, 4}, float64, /*requires_grad=*/true);
  EXPECT_GRADCHECK([](const auto& in) { return Cube::apply(in[0]); }, {x});
  EXPECT_GRADGRADCHECK([](const auto& in) { return Cube::apply(in[0]); }, {x});
  EXPECT_GRADCHECK([](const auto& in) { return ScaledProduct::apply(in[0], -1.5, in[1]).tanh(); }, {x, w});
  EXPECT_GRADGRADCHECK([](const auto& in) { return ScaledProduct::apply(in[0], -1.5, in[1]).tanh(); }, {x, w});
}

struct Probe : autograd::Function<Probe> {
  static inline bool grad_mode_in_forward = true;
  static Tensor forward(Context&, const Tensor& x) {
    grad_mode_in_forward = autograd::is_grad_enabled();
    return x * 2.0;
  }
  static TensorList backward(Context&, const TensorList& g) { return {g[0] * 2.0}; }
};

TEST(CustomFunction, ForwardRunsWithoutRecording) {
  Tensor x = ones({2}, float32, /*requires_grad=*/true);
  const Tensor y = Probe::apply(x);
  EXPECT_FALSE(Probe::grad_mode_in_forward);
  ASSERT_TRUE(y.grad_fn());
  EXPECT_EQ(y.grad_fn()->edges.size(), 1u);  // the node of Probe, not of the multiplication inside
  EXPECT_TRUE(autograd::is_grad_enabled());
}

TEST(CustomFunction, NeedsInputGradCountsArgumentsAndSkipsConstants) {
  Tensor x = tensor({1.0, 2.0}, {2}, /*requires_grad=*/true);
  const Tensor w = tensor({3.0, -4.0}, {2});  // no gradient wanted
  ScaledProduct::apply(x, 2.0, w).sum().backward();
  EXPECT_EQ(ScaledProduct::asked, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{6.0f, -8.0f}));
}

TEST(CustomFunction, NothingIsRecordedWithoutGradMode) {
  Tensor x = ones({2}, float32, /*requires_grad=*/true);
  {
    autograd::no_grad guard;
    EXPECT_FALSE(Cube::apply(x).requires_grad());
  }
  EXPECT_FALSE(Cube::apply(ones({2})).requires_grad());
}

TEST(CustomFunction, ASavedTensorWrittenInPlaceRaisesOnBackward) {
  Tensor leaf = tensor({1.0, 2.0}, {2}, /*requires_grad=*/true);
  Tensor x = leaf * 1.0;
  const Tensor y = Cube::apply(x);
  x.add_(1.0);
  const std::string message = error_message<RuntimeError>([&] { y.sum().backward(); });
  EXPECT_TRUE(contains(message, "modified by an inplace operation")) << message;
  EXPECT_TRUE(contains(message, "CubeBackward")) << message;
}

TEST(CustomFunction, NonDifferentiableOutputRecordsNoNode) {
  struct Sign : autograd::Function<Sign> {
    static Tensor forward(Context& ctx, const Tensor& x) {
      Tensor out = gt(x, 0.0) - lt(x, 0.0);
      ctx.mark_non_differentiable({out});
      return out;
    }
    static TensorList backward(Context&, const TensorList&) { return {Tensor()}; }
  };
  const Tensor y = Sign::apply(tensor({-3.0, 0.0, 2.0}, {3}, /*requires_grad=*/true));
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{-1.0f, 0.0f, 1.0f}));
}

TEST(CustomFunction, AnInputReturnedAsIsKeepsItsOwnHistory) {
  struct Identity : autograd::Function<Identity> {
    static Tensor forward(Context&, const Tensor& x) { return x; }
    static TensorList backward(Context&, const TensorList& g) { return {g[0] * 5.0}; }
  };
  Tensor x = tensor({1.0, 2.0}, {2}, /*requires_grad=*/true);
  const Tensor y = Identity::apply(x);
  EXPECT_TRUE(x.is_leaf());
  EXPECT_NE(y.impl(), x.impl());
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{5.0f, 5.0f}));
}

}  // namespace
}  // namespace lucid::test
