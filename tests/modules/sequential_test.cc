// Sequential: construction from values and shared_ptrs, child names, chaining, indexing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/modules/test_modules.h"

namespace lucid_test {
namespace {

using lucid::nn::Sequential;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> child_names(const lucid::nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& [name, child] : m.named_children()) out.push_back(name);
  return out;
}

TEST(Sequential, EmptyHasNoChildrenAndIsTheIdentity) {
  Sequential seq;
  EXPECT_EQ(seq.size(), 0u);
  EXPECT_TRUE(seq.children().empty());
  const lucid::Tensor x = lucid::tensor({1.0f, 2.0f}, {2});
  EXPECT_EQ(seq(x).to_vector<float>(), x.to_vector<float>());
}

TEST(Sequential, FromValuesNamesChildrenByIndex) {
  Sequential seq(Affine(2), Tanh(), Scale(2, 3.0));
  EXPECT_EQ(seq.size(), 3u);
  EXPECT_THAT(child_names(seq), ElementsAre("0", "1", "2"));
  EXPECT_NE(dynamic_cast<Affine*>(seq[0].get()), nullptr);
  EXPECT_NE(dynamic_cast<Tanh*>(seq[1].get()), nullptr);
  EXPECT_NE(dynamic_cast<Scale*>(seq[2].get()), nullptr);
  // A module moved in keeps its registry: its tensors are listed under the index.
  const auto params = seq.named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "0.weight");
  EXPECT_EQ(params[0].second.impl(), static_cast<Affine&>(*seq[0]).weight.impl());
  const auto buffers = seq.named_buffers();
  ASSERT_EQ(buffers.size(), 1u);
  EXPECT_EQ(buffers[0].first, "2.factor");
}

TEST(Sequential, FromSharedPtrsKeepsTheSameObjects) {
  auto affine = std::make_shared<Affine>(2);
  auto tanh = std::make_shared<Tanh>();
  Sequential seq(affine, tanh);
  EXPECT_EQ(seq[0].get(), affine.get());
  EXPECT_EQ(seq[1].get(), tanh.get());
  EXPECT_EQ(seq.children()[0].get(), affine.get());
}

TEST(Sequential, PushBackAppendsWithTheNextIndex) {
  Sequential seq{Tanh()};
  seq.push_back(Affine(3));
  seq.push_back(std::make_shared<Tanh>());
  EXPECT_EQ(seq.size(), 3u);
  EXPECT_THAT(child_names(seq), ElementsAre("0", "1", "2"));
}

TEST(Sequential, PushBackNullThrowsAndAddsNothing) {
  Sequential seq{Tanh()};
  EXPECT_THROW(seq.push_back(std::shared_ptr<lucid::nn::Module>()), lucid::ValueError);
  EXPECT_EQ(seq.size(), 1u);
  EXPECT_EQ(seq.children().size(), 1u);
}

TEST(Sequential, ForwardChainsInOrder) {
  auto first = std::make_shared<Affine>(3);
  {
    lucid::autograd::no_grad guard;
    first->weight.copy_(lucid::tensor({2.0f, -1.0f, 0.5f}, {3}));
    first->bias.copy_(lucid::tensor({1.0f, 1.0f, 1.0f}, {3}));
  }
  Sequential seq(first, Scale(3, 10.0), Tanh());
  const std::vector<float> x = {0.01f, 0.02f, -0.1f};
  const std::vector<float> y = seq(lucid::tensor(x, {3})).to_vector<float>();
  const std::vector<float> w = {2.0f, -1.0f, 0.5f};
  ASSERT_EQ(y.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(y[i], std::tanh(10.0f * (x[i] * w[i] + 1.0f))) << i;
}

TEST(Sequential, IndexOutOfRangeThrowsValueErrorNamingIt) {
  Sequential seq{Tanh(), Tanh()};
  EXPECT_NO_THROW(seq[1]);
  try {
    seq[2];
    FAIL() << "expected ValueError";
  } catch (const lucid::ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("2"));
  }
  EXPECT_THROW(Sequential()[0], lucid::ValueError);
}

TEST(Sequential, NestedSequentialPrefixesNames) {
  Sequential seq(Affine(2), Sequential(Tanh(), Affine(2)));
  EXPECT_THAT(child_names(*seq[1]), ElementsAre("0", "1"));
  std::vector<std::string> names;
  for (const auto& [name, p] : seq.named_parameters()) names.push_back(name);
  EXPECT_THAT(names, ElementsAre("0.weight", "0.bias", "1.1.weight", "1.1.bias"));
}

}  // namespace
}  // namespace lucid_test
