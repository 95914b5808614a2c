// Post-accumulate-grad hooks (autodiff/hooks.h): run once per backward() per leaf after its last
// incoming gradient, see the final .grad, in the order leaves become final; removable; not run by
// autograd::grad() or for leaves the pass gave no gradient.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autodiff/hooks.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using autograd::register_post_accumulate_grad_hook;
using autograd::remove_post_accumulate_grad_hook;

TEST(PostAccumulateGradHook, RunsOnceWithTheSumOfEveryPath) {
  const Tensor x = leaf({1, 2});
  std::vector<std::vector<double>> seen;
  register_post_accumulate_grad_hook(x, [&](const Tensor& t) { seen.push_back(t.grad().to_vector<double>()); });
  ((x * 2.0).sum() + (x * x).sum() + x.sum()).backward();  // three paths into x: 2 + 2x + 1
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (std::vector<double>{5, 7}));
}

TEST(PostAccumulateGradHook, SeesAccumulationAcrossPassesAndRunsEachPass) {
  const Tensor x = leaf({1});
  std::vector<double> seen;
  register_post_accumulate_grad_hook(x, [&](const Tensor& t) { seen.push_back(t.grad().item()); });
  (x * 3.0).sum().backward();
  (x * 3.0).sum().backward();
  EXPECT_EQ(seen, (std::vector<double>{3, 6}));
}

TEST(PostAccumulateGradHook, FiresInTheOrderLeavesBecomeFinal) {
  // loss = Σ (x·a)·b: b's gradient arrives first (it is used last), then a's, then x needs none.
  const Tensor a = leaf({1, 2}), b = leaf({3, 4});
  std::string order;
  register_post_accumulate_grad_hook(a, [&](const Tensor&) { order += 'a'; });
  register_post_accumulate_grad_hook(b, [&](const Tensor&) { order += 'b'; });
  ((tensor(std::vector<double>{1, 1}, {2}) * a) * b).sum().backward();
  EXPECT_EQ(order, "ba");
}

TEST(PostAccumulateGradHook, RootLeafAndRemoval) {
  const Tensor x = leaf({1});
  int calls = 0;
  const auto handle = register_post_accumulate_grad_hook(x, [&](const Tensor&) { ++calls; });
  x.backward();
  EXPECT_EQ(calls, 1);
  remove_post_accumulate_grad_hook(x, handle);
  x.backward();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(x.impl()->hooks);
}

TEST(PostAccumulateGradHook, NotRunByGradNorForLeavesWithoutGradient) {
  const Tensor x = leaf({1}), unused = leaf({2});
  int calls = 0;
  register_post_accumulate_grad_hook(x, [&](const Tensor&) { ++calls; });
  register_post_accumulate_grad_hook(unused, [&](const Tensor&) { ++calls; });
  const Tensor y = (x * 2.0).sum();
  autograd::grad(y, {x}, ones({}, float64));
  EXPECT_EQ(calls, 0);
  (x * 2.0).sum().backward();
  EXPECT_EQ(calls, 1);  // `unused` is not in the graph
}

TEST(PostAccumulateGradHook, RejectsNonLeavesAndLeavesWithoutGrad) {
  const Tensor x = leaf({1});
  EXPECT_THROW(register_post_accumulate_grad_hook(x * 2.0, [](const Tensor&) {}), ValueError);
  EXPECT_THROW(register_post_accumulate_grad_hook(tensor(std::vector<double>{1}, {1}), [](const Tensor&) {}), ValueError);
}

TEST(PostAccumulateGradHook, AnExceptionEndsTheBackwardPass) {
  const Tensor x = leaf({1});
  register_post_accumulate_grad_hook(x, [](const Tensor&) { throw RuntimeError("hook failed"); });
  EXPECT_THROW((x * 2.0).sum().backward(), RuntimeError);
  EXPECT_TRUE(autograd::is_grad_enabled());
}

}  // namespace
}  // namespace lucid::test
