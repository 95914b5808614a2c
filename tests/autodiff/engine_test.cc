// The backward engine: seeds, accumulation, retained and freed graphs, grad mode, detach, graph
// shapes (diamonds, very deep chains), autograd::grad, and the error paths of backward().
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/node.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using autograd::enable_grad;
using autograd::is_grad_enabled;
using autograd::no_grad;

Tensor values(std::vector<double> v) {
  const auto n = static_cast<std::int64_t>(v.size());
  return tensor(v, {n});
}

// ---- seeds ----

TEST(Backward, ScalarRootHasImplicitGradientOne) {
  const Tensor x = leaf({1, -2, 3});
  const Tensor y = (x * x).sum();
  EXPECT_EQ(y.dim(), 0);
  y.backward();
  expect_values_near(x.grad(), {3}, {2, -4, 6}, 0.0);  // d Σx² = 2x
}

TEST(Backward, OneElementRootOfAnyRank) {
  const Tensor x = leaf({0.5, 2});
  (x * 3.0).sum().reshape({1, 1, 1}).backward();
  expect_values_near(x.grad(), {2}, {3, 3}, 0.0);
}

TEST(Backward, ExplicitGradientIsTheVectorInTheVectorJacobianProduct) {
  const Tensor x = leaf({1, 2, 3});
  (x * x * 0.5).backward(values({1, 10, 100}));  // d(x²/2) = x, times the seed
  expect_values_near(x.grad(), {3}, {1, 20, 300}, 0.0);
}

TEST(Backward, OnALeafCopiesTheSeed) {
  const Tensor x = leaf({1, 2});
  Tensor seed = values({3, 4});
  x.backward(seed);
  seed.fill_(0.0);  // the leaf's .grad must not alias the caller's tensor
  expect_values_near(x.grad(), {2}, {3, 4}, 0.0);
}

TEST(Backward, Float32GraphGivesFloat32Gradients) {
  const Tensor x = tensor({1, 2}, {2}, true);
  (x * x).sum().backward();
  EXPECT_EQ(x.grad().dtype(), float32);
  expect_values_near(x.grad(), {2}, {2, 4}, 0.0);
}

// ---- accumulation ----

TEST(Backward, GradientsAccumulateAcrossCalls) {
  const Tensor x = leaf({1, 2, 3});
  (x * x).sum().backward();
  (x * x).sum().backward();  // a fresh graph: adds 2x again
  expect_values_near(x.grad(), {3}, {4, 8, 12}, 0.0);
}

TEST(Backward, HeldGradientIsNotAliasedWithAnotherLeaf) {
  // z = x + y passes the same gradient to both leaves; later accumulation into x must not leak
  // into y's gradient or into the caller's seed.
  for (const bool create_graph : {false, true}) {
    SCOPED_TRACE(create_graph ? "create_graph" : "plain");
    const Tensor x = leaf({1, 2});
    const Tensor y = leaf({3, 4});
    const Tensor seed = values({1, 1});
    (x + y).backward(seed, false, create_graph);
    EXPECT_NE(x.grad().impl().get(), y.grad().impl().get());
    (x * 5.0).sum().backward();
    expect_values_near(x.grad(), {2}, {6, 6}, 0.0);
    expect_values_near(y.grad(), {2}, {1, 1}, 0.0);
    expect_values_near(seed, {2}, {1, 1}, 0.0);
  }
}

TEST(Backward, OnlyLeavesThatRequireGradReceiveGradients) {
  const Tensor x = leaf({1, 2});
  const Tensor c = values({3, 4});
  const Tensor mid = x * c;
  (mid * 2.0).sum().backward();
  expect_values_near(x.grad(), {2}, {6, 8}, 0.0);
  EXPECT_FALSE(c.grad().defined());
  EXPECT_FALSE(mid.grad().defined());  // non-leaves keep no .grad
}

TEST(Backward, SetGradResetsAccumulation) {
  const Tensor x = leaf({1, 2});
  (x * 2.0).sum().backward();
  x.set_grad(Tensor());
  EXPECT_FALSE(x.grad().defined());
  (x * 3.0).sum().backward();
  expect_values_near(x.grad(), {2}, {3, 3}, 0.0);
  EXPECT_THROW(x.set_grad(values({1, 2, 3})), ValueError);
}

// ---- retained and freed graphs ----

TEST(Backward, RetainGraphAllowsASecondPass) {
  const Tensor x = leaf({0.0, 1.0});
  const Tensor y = exp(x).sum();
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  expect_values_near(x.grad(), {2}, {2.0, 2.0 * std::exp(1.0)}, 1e-15);
}

TEST(Backward, SecondPassThroughAFreedGraphThrowsAndChangesNothing) {
  const Tensor x = leaf({0.5, 1.5});
  const Tensor y = (x * x).sum();
  y.backward();
  const std::string msg = error_message<RuntimeError>([&] { y.backward(); });
  EXPECT_TRUE(contains(msg, "retain_graph"));
  expect_values_near(x.grad(), {2}, {1, 3}, 0.0);  // still the first pass's 2x
}

TEST(Backward, FailedPassThroughAPartlyFreedGraphLeavesEveryLeafUnchanged) {
  // w = 3·z + u where z's part of the graph was freed: the pass must fail before u (reached
  // through the still-intact part) receives anything.
  const Tensor x = leaf({1, 2});
  const Tensor u = leaf({5, 6});
  const Tensor z = (x * x).sum();
  z.backward();
  const Tensor w = z * 3.0 + u.sum();
  EXPECT_THROW(w.backward(), RuntimeError);
  EXPECT_FALSE(u.grad().defined());
  expect_values_near(x.grad(), {2}, {2, 4}, 0.0);
}

TEST(Backward, FreesSavedTensorsUnlessRetained) {
  const Tensor x = leaf({1, 2});
  const Tensor w = values({3, 4});
  const long alone = w.impl().use_count();
  const Tensor kept = (x * w).sum();  // MulBackward saves w
  EXPECT_GT(w.impl().use_count(), alone);
  kept.backward({}, /*retain_graph=*/true);
  EXPECT_GT(w.impl().use_count(), alone);
  kept.backward();
  EXPECT_EQ(w.impl().use_count(), alone);
}

// ---- error paths of backward() ----

TEST(BackwardErrors, TensorWithoutGradThrowsRuntimeError) {
  const Tensor x = values({1, 2});
  const Tensor y = (x * 2.0).sum();
  EXPECT_FALSE(y.requires_grad());
  EXPECT_THROW(y.backward(), RuntimeError);
  EXPECT_FALSE(x.grad().defined());
}

TEST(BackwardErrors, NonScalarWithoutGradientThrowsValueError) {
  const Tensor x = leaf({1, 2});
  const std::string msg = error_message<ValueError>([&] { (x * 2.0).backward(); });
  EXPECT_TRUE(contains(msg, "(2,)"));
  EXPECT_FALSE(x.grad().defined());
}

TEST(BackwardErrors, WrongGradientShapeOrDtypeThrowsValueError) {
  const Tensor x = leaf({1, 2});
  (x * 2.0).sum().backward();  // x.grad = (2, 2)
  const Tensor y = x * 2.0;
  const std::string msg = error_message<ValueError>([&] { y.backward(values({1, 2, 3})); });
  EXPECT_TRUE(contains(msg, "(3,)"));
  EXPECT_TRUE(contains(msg, "(2,)"));
  EXPECT_THROW(y.backward(ones({2, 1}, float64)), ValueError);
  EXPECT_THROW(y.backward(ones({2}, float32)), ValueError);
  expect_values_near(x.grad(), {2}, {2, 2}, 0.0);  // unchanged
  y.backward(values({1, 1}));                      // the graph was not consumed by the failures
  expect_values_near(x.grad(), {2}, {4, 4}, 0.0);
}

TEST(BackwardErrors, RequiresGradOnANonLeafThrowsRuntimeError) {
  const Tensor x = leaf({1, 2});
  Tensor y = x * 2.0;
  EXPECT_THROW(y.requires_grad_(false), RuntimeError);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_NE(y.grad_fn(), nullptr);
  Tensor z = values({1});
  z.requires_grad_();
  EXPECT_TRUE(z.requires_grad());
  z.requires_grad_(false);
  EXPECT_FALSE(z.requires_grad());
}

// ---- grad mode ----

TEST(GradMode, NoGradRecordsNothingAndRestoresTheMode) {
  const Tensor x = leaf({1, 2});
  ASSERT_TRUE(is_grad_enabled());
  {
    no_grad guard;
    EXPECT_FALSE(is_grad_enabled());
    const Tensor y = exp(x * 2.0).sum();
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    EXPECT_THROW(y.backward(), RuntimeError);
  }
  EXPECT_TRUE(is_grad_enabled());
  EXPECT_TRUE((x * 2.0).requires_grad());
}

TEST(GradMode, NestedGuards) {
  const Tensor x = leaf({1});
  {
    no_grad outer;
    {
      no_grad inner;
      EXPECT_FALSE(is_grad_enabled());
    }
    EXPECT_FALSE(is_grad_enabled());  // the inner guard restores the outer's mode, not "on"
    {
      enable_grad on;
      EXPECT_TRUE(is_grad_enabled());
      const Tensor y = x * 3.0;
      EXPECT_TRUE(y.requires_grad());
      EXPECT_NE(y.grad_fn(), nullptr);
      y.sum().backward();
    }
    EXPECT_FALSE(is_grad_enabled());
    EXPECT_FALSE((x * 3.0).requires_grad());
  }
  EXPECT_TRUE(is_grad_enabled());
  expect_values_near(x.grad(), {1}, {3}, 0.0);
}

TEST(GradMode, RestoredWhenAnExceptionLeavesTheScope) {
  try {
    no_grad guard;
    throw std::runtime_error("leave");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(is_grad_enabled());
}

TEST(GradMode, BackwardRestoresTheCallersMode) {
  const Tensor x = leaf({1});
  const Tensor y = (x * x).sum();
  {
    no_grad guard;
    y.backward({}, true, /*create_graph=*/true);  // records with grad mode on, then switches back
    EXPECT_FALSE(is_grad_enabled());
  }
  y.backward({}, true);  // runs with grad mode off
  EXPECT_TRUE(is_grad_enabled());
  expect_values_near(x.grad(), {1}, {4}, 0.0);
}

// ---- detach ----

TEST(Detach, SharesStorageOutsideTheGraph) {
  const Tensor x = leaf({1, 2});
  const Tensor y = x * 2.0;
  Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.grad_fn(), nullptr);
  EXPECT_TRUE(d.is_leaf());
  EXPECT_EQ(d.data<double>(), y.data<double>());
  d.data<double>()[0] = 7.0;
  EXPECT_EQ(y.to_vector<double>()[0], 7.0);
  EXPECT_TRUE(y.requires_grad());  // the original keeps its graph
}

TEST(Detach, BlocksTheGradient) {
  const Tensor x = leaf({3, -1});
  (x * x.detach()).sum().backward();  // the detached factor is a constant: d = x, not 2x
  expect_values_near(x.grad(), {2}, {3, -1}, 0.0);
}

// ---- graph shapes ----

TEST(Graph, DiamondAddsBothPaths) {
  const Tensor x = leaf({-1.5, 0, 2});
  (x * x + x).sum().backward();  // x is used by mul (twice) and by add: 2x + 1
  expect_values_near(x.grad(), {3}, {-2, 1, 5}, 0.0);
}

TEST(Graph, SharedIntermediate) {
  // a = 2x is used twice: f = a·eᵃ, df/dx = 2(eᵃ + a·eᵃ)
  const Tensor x = leaf({-0.5, 0.25, 1});
  const Tensor a = x * 2.0;
  (a * exp(a)).sum().backward();
  expect_values_near(x.grad(), {3}, map_values(x, [](double v) { return 2 * std::exp(2 * v) * (1 + 2 * v); }),
                     1e-13);
}

constexpr int kDepth = 100000;

TEST(Graph, VeryDeepChainBackpropagatesIteratively) {
  const Tensor x = leaf({0.5, -2});
  Tensor y = x;
  for (int i = 0; i < kDepth; ++i) y = y * 1.0 + 0.0;  // 2·kDepth nodes deep
  y.sum().backward();
  expect_values_near(x.grad(), {2}, {1, 1}, 0.0);
}

TEST(Graph, VeryDeepChainOfAdds) {
  const Tensor x = leaf({1, 2, 3});
  Tensor y = x;
  for (int i = 0; i < kDepth; ++i) y = y + x;  // y = (kDepth + 1)·x, x feeds every level
  expect_values_near(y, {3}, {kDepth + 1.0, 2 * (kDepth + 1.0), 3 * (kDepth + 1.0)}, 0.0);
  y.sum().backward({}, /*retain_graph=*/true);
  expect_values_near(x.grad(), {3}, std::vector<double>(3, kDepth + 1.0), 0.0);
}

TEST(Graph, VeryDeepChainIsDestroyedWithoutBackward) {
  // Dropping the last handle of a deep graph must not recurse once per node (that would overflow the
  // stack), and must free every node and every tensor the nodes saved: weak references to the first
  // and the last node and to a saved tensor in the middle all expire, and the leaf is referenced
  // by its own handle alone again.
  const Tensor x = leaf({1});
  const long leaf_references = x.impl().use_count();
  std::weak_ptr<autograd::Node> first, root;
  std::weak_ptr<TensorImpl> middle;
  {
    Tensor y = x;
    for (int i = 0; i < kDepth; ++i) {
      const Tensor scaled = y * 0.0;
      if (i == 0) first = scaled.grad_fn();
      if (i == kDepth / 2) middle = scaled.impl();  // from here on kept only by ExpBackward, which saves it
      y = exp(scaled);
    }
    root = y.grad_fn();
    ASSERT_FALSE(first.expired());
    ASSERT_FALSE(middle.expired());
    EXPECT_GT(x.impl().use_count(), leaf_references);  // the first MulBackward's edge
  }
  EXPECT_TRUE(root.expired());
  EXPECT_TRUE(middle.expired());
  EXPECT_TRUE(first.expired());
  EXPECT_EQ(x.impl().use_count(), leaf_references);
}

// ---- autograd::grad ----

TEST(Grad, ReturnsGradientsWithoutTouchingDotGrad) {
  const Tensor x = leaf({1, 2});
  const Tensor w = leaf({3, 4});
  (w * 10.0).sum().backward();  // w.grad = (10, 10) before
  const Tensor y = (x * w).sum();
  const std::vector<Tensor> g = autograd::grad(y, {x, w}, scalar_tensor(1.0, float64));
  ASSERT_EQ(g.size(), 2u);
  expect_values_near(g[0], {2}, {3, 4}, 0.0);
  expect_values_near(g[1], {2}, {1, 2}, 0.0);
  EXPECT_FALSE(x.grad().defined());
  expect_values_near(w.grad(), {2}, {10, 10}, 0.0);
}

TEST(Grad, OnlyTheRequestedInputs) {
  const Tensor x = leaf({1, 2});
  const Tensor w = leaf({3, 4});
  const Tensor unused = leaf({5});
  const std::vector<Tensor> g = autograd::grad((x * w).sum(), {w, unused}, scalar_tensor(2.0, float64));
  expect_values_near(g[0], {2}, {2, 4}, 0.0);
  expect_values_near(g[1], {1}, {0}, 0.0);  // not in the graph: zero
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

TEST(Grad, CreateGraphGivesDifferentiableGradients) {
  const Tensor x = leaf({1, -2});
  const Tensor y = pow(x, 3.0).sum();
  const Tensor g = autograd::grad(y, {x}, scalar_tensor(1.0, float64), false, /*create_graph=*/true)[0];
  expect_values_near(g, {2}, {3, 12}, 1e-14);  // 3x²
  ASSERT_TRUE(g.requires_grad());
  g.sum().backward();
  expect_values_near(x.grad(), {2}, {6, -12}, 1e-14);  // 6x
}

TEST(Grad, RejectsBadArguments) {
  const Tensor x = leaf({1, 2});
  const Tensor y = (x * x).sum();
  EXPECT_THROW(autograd::grad(y, {x * 2.0}, scalar_tensor(1.0, float64)), ValueError);  // not a leaf
  EXPECT_THROW(autograd::grad(y, {values({1})}, scalar_tensor(1.0, float64)), ValueError);
  EXPECT_THROW(autograd::grad(y, {x}, ones({2}, float64)), ValueError);  // grad_root shape
  const std::vector<Tensor> g = autograd::grad(y, {x}, scalar_tensor(1.0, float64));  // graph still intact
  expect_values_near(g[0], {2}, {2, 4}, 0.0);
}

}  // namespace
}  // namespace lucid::test
