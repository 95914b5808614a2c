// Tensor::register_hook (autodiff/hooks.h): on leaves (once per pass, on the summed gradient, before
// .grad) and non-leaves (on the grad_fn node's incoming gradient, before retain_grad and the node's
// backward); replacing the gradient; chaining; removal through RemovableHandle.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "autodiff/hooks.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

// A hook that records each gradient it sees and keeps it.
autograd::TensorHook recorder(std::vector<std::vector<double>>& seen) {
  return [&seen](const Tensor& g) -> std::optional<Tensor> {
    seen.push_back(g.to_vector<double>());
    return std::nullopt;
  };
}

TEST(TensorHook, LeafSeesItsGradientBeforeAccumulation) {
  const Tensor x = leaf({1, 2, 3});
  std::vector<std::vector<double>> seen;
  x.register_hook([&](const Tensor& g) -> std::optional<Tensor> {
    EXPECT_FALSE(x.grad().defined());  // not yet accumulated
    seen.push_back(g.to_vector<double>());
    return std::nullopt;
  });
  (x * x).sum().backward();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (std::vector<double>{2, 4, 6}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2, 4, 6}));
}

TEST(TensorHook, LeafRunsOnceOnTheSumOfEveryPath) {
  const Tensor x = leaf({1, 2});
  std::vector<std::vector<double>> seen;
  x.register_hook(recorder(seen));
  (x * 2.0 + x * 3.0 + x).sum().backward();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (std::vector<double>{6, 6}));
}

TEST(TensorHook, LeafHookReplacesTheGradientThatAccumulates) {
  const Tensor x = leaf({1, 2});
  x.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g * 10.0; });
  (x * x).sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{20, 40}));
  (x * x).sum().backward();  // the second pass adds the hooked gradient again
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{40, 80}));
}

TEST(TensorHook, NonLeafSeesAndReplacesTheGradientBeforeItsNode) {
  // h = 3x, loss = Σ h²: dloss/dh = 2h = 6x; the hook doubles it, so dloss/dx = 3 · 2 · 6x = 36x.
  const Tensor x = leaf({1, -2});
  const Tensor h = x * 3.0;
  std::vector<std::vector<double>> seen;
  h.register_hook(recorder(seen));
  h.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g * 2.0; });
  (h * h).sum().backward();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (std::vector<double>{6, -12}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{36, -72}));
}

TEST(TensorHook, HooksChainInRegistrationOrder) {
  const Tensor x = leaf({1});
  std::vector<std::vector<double>> seen;
  x.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g + 1.0; });
  x.register_hook(recorder(seen));
  x.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g * 3.0; });
  (x * 2.0).sum().backward();
  EXPECT_EQ(seen, (std::vector<std::vector<double>>{{3}}));
  EXPECT_EQ(x.grad().item(), 9.0);
}

TEST(TensorHook, RetainGradSeesTheHookedGradient) {
  const Tensor x = leaf({1, 2});
  Tensor h = x * 2.0;
  h.retain_grad();
  h.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g * 5.0; });
  h.sum().backward();
  EXPECT_EQ(h.grad().to_vector<double>(), (std::vector<double>{5, 5}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{10, 10}));
}

TEST(TensorHook, RemovedHooksNoLongerRunAndRemovingTwiceIsHarmless) {
  const Tensor x = leaf({1, 2});
  const Tensor h = x * 2.0;
  int leaf_calls = 0, node_calls = 0;
  autograd::RemovableHandle on_leaf = x.register_hook([&](const Tensor&) -> std::optional<Tensor> {
    ++leaf_calls;
    return std::nullopt;
  });
  autograd::RemovableHandle on_node = h.register_hook([&](const Tensor&) -> std::optional<Tensor> {
    ++node_calls;
    return std::nullopt;
  });
  h.sum().backward(Tensor(), /*retain_graph=*/true);
  EXPECT_EQ(leaf_calls, 1);
  EXPECT_EQ(node_calls, 1);
  on_leaf.remove();
  on_node.remove();
  on_leaf.remove();
  on_node.remove();
  EXPECT_FALSE(x.impl()->hooks);          // the leaf's hook storage is dropped: the engine skips it
  EXPECT_FALSE(h.grad_fn()->extras && h.grad_fn()->extras->grad_hooks);  // likewise the node's
  h.sum().backward();
  EXPECT_EQ(leaf_calls, 1);
  EXPECT_EQ(node_calls, 1);
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{4, 4}));
}

TEST(TensorHook, RemovingAfterTheTensorIsGoneIsHarmless) {
  autograd::RemovableHandle handle;
  {
    const Tensor x = leaf({1});
    handle = (x * 2.0).register_hook([](const Tensor&) -> std::optional<Tensor> { return std::nullopt; });
  }
  handle.remove();
  autograd::RemovableHandle never_registered;
  never_registered.remove();
}

TEST(TensorHook, AHookMayRemoveItselfWhileRunning) {
  const Tensor x = leaf({1});
  const Tensor h = x * 2.0;
  int calls = 0;
  auto handle = std::make_shared<autograd::RemovableHandle>();
  *handle = h.register_hook([&calls, handle](const Tensor&) -> std::optional<Tensor> {
    ++calls;
    handle->remove();
    return std::nullopt;
  });
  h.sum().backward(Tensor(), /*retain_graph=*/true);
  h.sum().backward();
  EXPECT_EQ(calls, 1);
}

TEST(TensorHook, RunsForTheChosenInputsOfAutogradGrad) {
  const Tensor x = leaf({1, 2});
  const Tensor w = leaf({3, 4});
  int w_calls = 0;
  x.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g * -1.0; });
  w.register_hook([&](const Tensor&) -> std::optional<Tensor> {
    ++w_calls;
    return std::nullopt;
  });
  const std::vector<Tensor> grads = autograd::grad((x * w).sum(), {x}, scalar_tensor(1.0, float64));
  EXPECT_EQ(grads[0].to_vector<double>(), (std::vector<double>{-3, -4}));
  EXPECT_EQ(w_calls, 0);  // w is not an input of this grad() call
  EXPECT_FALSE(x.grad().defined());
}

TEST(TensorHook, PostAccumulateGradHookSeesTheReplacedGradient) {
  const Tensor x = leaf({1, 2});
  std::vector<double> final_grad;
  x.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g * 0.5; });
  autograd::register_post_accumulate_grad_hook(x, [&](const Tensor& t) { final_grad = t.grad().to_vector<double>(); });
  (x * 4.0).sum().backward();
  EXPECT_EQ(final_grad, (std::vector<double>{2, 2}));
}

TEST(TensorHook, HookOnTheRootLeafOfBackward) {
  const Tensor x = leaf({5});
  x.register_hook([](const Tensor& g) -> std::optional<Tensor> { return g * 7.0; });
  x.backward();
  EXPECT_EQ(x.grad().item(), 7.0);
}

TEST(TensorHook, RegisteredBeforeAnInplaceOpSeesTheGradientOfTheOldValue) {
  // h = 2x; the hook is on h's first node; then h *= 3. dloss/d(old h) = 3 (PyTorch's rule).
  const Tensor x = leaf({1, 2});
  Tensor h = x * 2.0;
  std::vector<std::vector<double>> seen;
  h.register_hook(recorder(seen));
  h.mul_(3.0);
  h.sum().backward();
  EXPECT_EQ(seen, (std::vector<std::vector<double>>{{3, 3}}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{6, 6}));
}

TEST(TensorHook, CreateGraphDifferentiatesThroughTheHook) {
  // The hook's g·x for y = x² gives 2x·x = 2x² (8 at x = 2); differentiating that again gives 4x (8).
  const Tensor x = leaf({2});
  autograd::RemovableHandle handle = x.register_hook([&x](const Tensor& g) -> std::optional<Tensor> { return g * x; });
  const std::vector<Tensor> first = autograd::grad((x * x).sum(), {x}, scalar_tensor(1.0, float64), false, true);
  EXPECT_EQ(first[0].item(), 8.0);
  handle.remove();
  const std::vector<Tensor> second = autograd::grad(first[0].sum(), {x}, scalar_tensor(1.0, float64));
  EXPECT_EQ(second[0].item(), 8.0);
}

}  // namespace
}  // namespace lucid::test
