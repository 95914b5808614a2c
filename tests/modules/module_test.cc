// Module behaviour beyond the registry: forward through operator(), train/eval, zero_grad, apply,
// and a small training loop.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/modules/test_modules.h"

namespace lucid_test {
namespace {

using lucid::nn::Module;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// Every module of the tree, this one included, in the order apply() visits them.
std::vector<Module*> all_modules(Module& root) {
  std::vector<Module*> out;
  root.apply([&](Module& m) { out.push_back(&m); });
  return out;
}

TEST(Module, CallOperatorRunsForward) {
  Affine m(3);
  lucid::autograd::no_grad guard;  // writing a parameter outside the graph, as PyTorch requires
  m.weight.copy_(lucid::tensor({2.0f, 3.0f, 4.0f}, {3}));
  m.bias.copy_(lucid::tensor({1.0f, 0.0f, -1.0f}, {3}));
  const lucid::Tensor y = m(lucid::tensor({1.0f, 2.0f, 3.0f}, {3}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{3.0f, 6.0f, 11.0f}));
}

TEST(Module, ForwardNotOverriddenThrowsRuntimeErrorNamingTheModule) {
  NoForward m;
  try {
    m(lucid::ones({2}));
    FAIL() << "expected RuntimeError";
  } catch (const lucid::RuntimeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("NoForward"));
  }
}

TEST(Module, TrainAndEvalReachEveryDescendant) {
  Net net(2);
  const std::vector<Module*> modules = all_modules(net);
  ASSERT_EQ(modules.size(), 9u);  // net, layer1 + 3, head + 3
  for (Module* m : modules) EXPECT_TRUE(m->is_training()) << m->name();
  net.eval();
  for (Module* m : modules) EXPECT_FALSE(m->is_training()) << m->name();
  net.train();
  for (Module* m : modules) EXPECT_TRUE(m->is_training()) << m->name();
  net.train(false);
  for (Module* m : modules) EXPECT_FALSE(m->is_training()) << m->name();
}

TEST(Module, EvalOnASubtreeLeavesTheParentAlone) {
  Net net(2);
  net.head->eval();
  EXPECT_TRUE(net.is_training());
  EXPECT_TRUE(net.layer1->is_training());
  EXPECT_FALSE(net.head->is_training());
  EXPECT_FALSE(net.head->affine->is_training());
}

TEST(Module, ZeroGradClearsEveryGradient) {
  Net net(3);
  net(lucid::tensor({0.5f, -1.0f, 2.0f}, {3})).sum().backward();
  for (const auto& [name, p] : net.named_parameters()) EXPECT_TRUE(p.grad().defined()) << name;
  net.zero_grad();
  for (const auto& [name, p] : net.named_parameters()) EXPECT_FALSE(p.grad().defined()) << name;
}

TEST(Module, GradientsAfterZeroGradDoNotAccumulateOldOnes) {
  Affine m(2);
  const lucid::Tensor x = lucid::tensor({3.0f, -1.0f}, {2});
  m(x).sum().backward();
  m(x).sum().backward();
  EXPECT_EQ(m.weight.grad().to_vector<float>(), (std::vector<float>{6.0f, -2.0f}));  // accumulated
  m.zero_grad();
  m(x).sum().backward();
  EXPECT_EQ(m.weight.grad().to_vector<float>(), (std::vector<float>{3.0f, -1.0f}));  // d(sum)/dw = x
  EXPECT_EQ(m.bias.grad().to_vector<float>(), (std::vector<float>{1.0f, 1.0f}));
}

TEST(Module, ApplyVisitsChildrenBeforeParents) {
  Net net(2);
  const std::vector<Module*> order = all_modules(net);
  const auto& layer1 = *net.layer1;
  const auto& head = *net.head;
  // Post-order, as PyTorch's Module.apply: each subtree's children, then its root; the root last.
  const std::vector<Module*> expected = {layer1[0].get(),  layer1[1].get(),   layer1[2].get(),
                                         net.layer1.get(), head.affine.get(), head.act.get(),
                                         head.scale.get(), net.head.get(),    &net};
  EXPECT_THAT(order, ElementsAreArray(expected));
}

TEST(Module, ApplyCanInitialiseParameters) {
  Net net(2);
  net.apply([](Module& m) {
    lucid::autograd::no_grad guard;
    for (auto& p : m.parameters(/*recurse=*/false)) p.fill_(0.25);
  });
  for (const auto& [name, p] : net.named_parameters()) {
    EXPECT_THAT(p.to_vector<float>(), ElementsAre(0.25f, 0.25f)) << name;
  }
}

double mse(const lucid::Tensor& prediction, const lucid::Tensor& target) {
  const lucid::Tensor diff = prediction - target;
  return (diff * diff).mean().item();
}

TEST(Module, ManualSgdOnATwoLayerModelDecreasesTheLoss) {
  lucid::nn::Sequential model(Affine(4), Tanh(), Affine(4));
  // Columns are independent features; the target tanh(0.5 x) * 2 - 0.3 is reachable by the model.
  const lucid::Tensor x = lucid::tensor({-1.5f, -0.5f, 0.5f, 1.5f, 1.0f, 2.0f, -2.0f, 0.0f}, {2, 4});
  const lucid::Tensor target = (x * 0.5).tanh() * 2.0 - 0.3;
  const double lr = 0.1;
  std::vector<double> losses;
  for (int step = 0; step < 20; ++step) {
    model.zero_grad();
    const lucid::Tensor diff = model(x) - target;
    const lucid::Tensor loss = (diff * diff).mean();
    losses.push_back(loss.item());
    loss.backward();
    lucid::autograd::no_grad guard;
    for (auto& p : model.parameters()) p.copy_(p - p.grad() * lr);
  }
  for (std::size_t i = 1; i < losses.size(); ++i) EXPECT_LT(losses[i], losses[i - 1]) << "step " << i;
  EXPECT_LT(mse(model(x), target), 0.5 * losses.front());
  // The updates themselves were not recorded: parameters are still leaves.
  for (const auto& [name, p] : model.named_parameters()) EXPECT_TRUE(p.is_leaf()) << name;
}

}  // namespace
}  // namespace lucid_test
