// The Module registry: register_parameter / register_buffer / register_module, the named views
// (named_parameters, named_buffers, named_children) and Parameter's leaf semantics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lucid.h"
#include "tests/modules/test_modules.h"

namespace lucid_test {
namespace {

using lucid::nn::Module;
using lucid::nn::Parameter;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename Named>
std::vector<std::string> names_of(const Named& named) {
  std::vector<std::string> out;
  for (const auto& entry : named) out.push_back(entry.first);
  return out;
}

// A module that exposes the registry to the tests, with one parameter, one buffer and one child.
class Registry : public Module {
 public:
  Registry() {
    register_parameter("w", lucid::ones({2}));
    register_buffer("b", lucid::zeros({2}));
    register_module("c", std::make_shared<Tanh>());
  }
  using Module::register_buffer;
  using Module::register_module;
  using Module::register_parameter;
};

TEST(Registry, RegisteredParameterIsALeafRequiringGradSharingTheHandle) {
  Affine m(3);
  const auto named = m.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].second.impl(), m.weight.impl());
  EXPECT_EQ(named[1].second.impl(), m.bias.impl());
  for (const auto& [name, p] : named) {
    EXPECT_TRUE(p.is_leaf()) << name;
    EXPECT_TRUE(p.requires_grad()) << name;
  }
  EXPECT_EQ(m.weight.to_vector<float>(), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(m.bias.to_vector<float>(), (std::vector<float>{0, 0, 0}));
}

TEST(Registry, RegisterParameterWithoutGrad) {
  Registry m;
  const Parameter frozen = m.register_parameter("frozen", lucid::ones({2}), /*requires_grad=*/false);
  EXPECT_FALSE(frozen.requires_grad());
  EXPECT_THAT(names_of(m.named_parameters()), ElementsAre("w", "frozen"));
}

TEST(Registry, RegisteringAParameterKeepsThatParameter) {
  // PyTorch's register_parameter stores the Parameter object itself: gradients computed through the
  // caller's handle must be the ones parameters() sees, and its requires_grad is kept.
  Registry m;
  const Parameter frozen(lucid::tensor({1.0f, 2.0f}, {2}), /*requires_grad=*/false);
  const Parameter p(lucid::tensor({1.0f, 2.0f}, {2}));
  EXPECT_EQ(m.register_parameter("frozen", frozen).impl(), frozen.impl());
  EXPECT_EQ(m.register_parameter("p", p).impl(), p.impl());
  const auto named = m.named_parameters();
  ASSERT_EQ(named.size(), 3u);
  EXPECT_FALSE(named[1].second.requires_grad());
  (p * 3.0).sum().backward();
  ASSERT_TRUE(named[2].second.grad().defined());
  EXPECT_EQ(named[2].second.grad().to_vector<float>(), (std::vector<float>{3.0f, 3.0f}));
}

TEST(Registry, BuffersAreNotParameters) {
  Scale m(3, 0.5);
  EXPECT_TRUE(m.parameters().empty());
  const auto buffers = m.named_buffers();
  ASSERT_EQ(buffers.size(), 1u);
  EXPECT_EQ(buffers[0].first, "factor");
  EXPECT_EQ(buffers[0].second.impl(), m.factor.impl());
  EXPECT_FALSE(buffers[0].second.requires_grad());
  EXPECT_EQ(m.factor.to_vector<float>(), (std::vector<float>{0.5f, 0.5f, 0.5f}));
}

struct BadName : Labeled {
  std::string name;
};

class RegistryBadName : public ::testing::TestWithParam<BadName> {};

// Each kind of registration rejects the name, whichever kind already owns a duplicate.
TEST_P(RegistryBadName, EveryRegistrationThrowsValueErrorAndRegistersNothing) {
  const std::string name = GetParam().name;
  Registry m;
  EXPECT_THROW(m.register_parameter(name, lucid::ones({1})), lucid::ValueError);
  EXPECT_THROW(m.register_buffer(name, lucid::ones({1})), lucid::ValueError);
  EXPECT_THROW(m.register_module(name, std::make_shared<Tanh>()), lucid::ValueError);
  EXPECT_THAT(names_of(m.named_parameters(false)), ElementsAre("w"));
  EXPECT_THAT(names_of(m.named_buffers(false)), ElementsAre("b"));
  EXPECT_THAT(names_of(m.named_children()), ElementsAre("c"));
}

INSTANTIATE_TEST_SUITE_P(Names, RegistryBadName,
                         ::testing::Values(BadName{{"Empty"}, ""}, BadName{{"Dot"}, "a.b"},
                                           BadName{{"TrailingDot"}, "a."}, BadName{{"DuplicateOfParameter"}, "w"},
                                           BadName{{"DuplicateOfBuffer"}, "b"}, BadName{{"DuplicateOfChild"}, "c"}),
                         ParamLabel());

TEST(Registry, ErrorMessagesNameTheAttribute) {
  Registry m;
  try {
    m.register_buffer("w", lucid::ones({1}));
    FAIL() << "expected ValueError";
  } catch (const lucid::ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'w'"));
  }
  try {
    m.register_parameter("x.y", lucid::ones({1}));
    FAIL() << "expected ValueError";
  } catch (const lucid::ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'x.y'"));
  }
}

TEST(Registry, NullModuleThrowsValueError) {
  Registry m;
  EXPECT_THROW(m.register_module("empty", std::shared_ptr<Tanh>()), lucid::ValueError);
  EXPECT_THAT(names_of(m.named_children()), ElementsAre("c"));
}

TEST(Registry, UndefinedParameterIsSkippedButReservesItsName) {
  // Like GroupNorm(affine=false): the slot exists, yet nothing is listed or saved.
  Registry m;
  const Parameter none = m.register_parameter("weight", lucid::Tensor());
  EXPECT_FALSE(none.defined());
  EXPECT_THAT(names_of(m.named_parameters()), ElementsAre("w"));
  EXPECT_EQ(m.parameters().size(), 1u);
  EXPECT_FALSE(m.state_dict().contains("weight"));
  EXPECT_THROW(m.register_parameter("weight", lucid::ones({1})), lucid::ValueError);
}

TEST(Registry, NamedParametersUseDottedPrefixesOwnParametersFirst) {
  Net net(4);
  EXPECT_THAT(names_of(net.named_parameters()),
              ElementsAre("gain", "layer1.0.weight", "layer1.0.bias", "layer1.2.weight", "layer1.2.bias",
                          "head.affine.weight", "head.affine.bias"));
  EXPECT_EQ(net.parameters().size(), 7u);
  // The named views hand out the module's own tensors.
  const auto first = std::static_pointer_cast<Affine>((*net.layer1)[0]);
  EXPECT_EQ(net.named_parameters()[1].second.impl(), first->weight.impl());
  EXPECT_EQ(net.parameters()[5].impl(), net.head->affine->weight.impl());
}

TEST(Registry, RecurseFalseListsOnlyOwnEntries) {
  Net net(4);
  EXPECT_THAT(names_of(net.named_parameters(/*recurse=*/false)), ElementsAre("gain"));
  EXPECT_EQ(net.parameters(false).size(), 1u);
  EXPECT_TRUE(net.named_buffers(false).empty());
  EXPECT_TRUE(net.buffers(false).empty());
}

TEST(Registry, NamedBuffersRecurse) {
  Net net(4);
  const auto buffers = net.named_buffers();
  EXPECT_THAT(names_of(buffers), ElementsAre("head.scale.factor"));
  EXPECT_EQ(buffers[0].second.impl(), net.head->scale->factor.impl());
  ASSERT_EQ(net.buffers().size(), 1u);
  EXPECT_EQ(net.buffers()[0].to_vector<float>(), (std::vector<float>{2, 2, 2, 2}));
}

TEST(Registry, ChildrenAreDirectSubmodulesInRegistrationOrder) {
  Block block(2);
  EXPECT_THAT(names_of(block.named_children()), ElementsAre("affine", "act", "scale"));
  const auto children = block.children();
  ASSERT_EQ(children.size(), 3u);
  EXPECT_EQ(children[0].get(), block.affine.get());
  EXPECT_EQ(children[1].get(), block.act.get());
  EXPECT_EQ(children[2].get(), block.scale.get());
  EXPECT_TRUE(Affine(2).children().empty());
  Net net(2);
  EXPECT_THAT(names_of(net.named_children()), ElementsAre("layer1", "head"));
}

TEST(Registry, SharedTensorsAreListedOnce) {
  // PyTorch's parameters() and buffers() remove duplicates (weight tying): an optimizer must not step
  // a tied weight twice. The state dict still holds every name.
  auto affine = std::make_shared<Affine>(2);
  auto scale = std::make_shared<Scale>(2, 3.0);
  lucid::nn::Sequential seq(affine, scale, affine, scale);
  EXPECT_THAT(names_of(seq.named_parameters()), ElementsAre("0.weight", "0.bias"));
  EXPECT_EQ(seq.parameters().size(), 2u);
  EXPECT_THAT(names_of(seq.named_buffers()), ElementsAre("1.factor"));
  EXPECT_THAT(names_of(seq.state_dict()),
              ElementsAre("0.weight", "0.bias", "2.weight", "2.bias", "1.factor", "3.factor"));
}

TEST(Parameter, DefaultIsUndefined) { EXPECT_FALSE(Parameter().defined()); }

TEST(Parameter, WithoutGrad) {
  const Parameter p(lucid::ones({2}), /*requires_grad=*/false);
  EXPECT_TRUE(p.defined());
  EXPECT_TRUE(p.is_leaf());
  EXPECT_FALSE(p.requires_grad());
}

TEST(Parameter, OfANonLeafIsADetachedLeafWithTheSameValues) {
  const lucid::Tensor x = lucid::tensor({1.0f, -2.0f}, {2}, /*requires_grad=*/true);
  const lucid::Tensor y = x * 3.0;
  ASSERT_FALSE(y.is_leaf());
  const Parameter p(y);
  EXPECT_TRUE(p.is_leaf());
  EXPECT_EQ(p.grad_fn(), nullptr);
  EXPECT_TRUE(p.requires_grad());
  EXPECT_EQ(p.to_vector<float>(), (std::vector<float>{3.0f, -6.0f}));
  // Gradients stop at the parameter: nothing flows back into x.
  p.sum().backward();
  EXPECT_EQ(p.grad().to_vector<float>(), (std::vector<float>{1.0f, 1.0f}));
  EXPECT_FALSE(x.grad().defined());
}

}  // namespace
}  // namespace lucid_test
