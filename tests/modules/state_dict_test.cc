// state_dict() and load_state_dict(): contents, storage sharing, round trips, dtype conversion,
// and the all-or-nothing error paths.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "lucid.h"
#include "tests/modules/test_modules.h"

namespace lucid_test {
namespace {

using lucid::nn::LoadStateDictResult;
using lucid::nn::StateDict;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Snapshot = std::vector<std::pair<std::string, std::vector<double>>>;

// Every tensor of the module (parameters and buffers) by name, as values.
Snapshot snapshot(const lucid::nn::Module& m) {
  Snapshot out;
  for (const auto& [name, t] : m.state_dict()) out.emplace_back(name, t.to_vector<double>());
  return out;
}

std::vector<std::string> keys(const StateDict& dict) {
  std::vector<std::string> out;
  for (const auto& [name, t] : dict) out.push_back(name);
  return out;
}

// Fills every parameter and buffer with distinct random values (deterministic per seed).
void randomize(lucid::nn::Module& m, std::uint64_t seed) {
  lucid::manual_seed(seed);
  for (const auto& [name, t] : m.state_dict()) lucid::Tensor(t).copy_(lucid::randn(t.shape()));
}

// The dict without `key`.
StateDict without(const StateDict& dict, const std::string& key) {
  StateDict out;
  for (const auto& [name, t] : dict) {
    if (name != key) out.insert_or_assign(name, t);
  }
  return out;
}

TEST(StateDict, HoldsParametersThenBuffersWithDottedNames) {
  Net net(4);
  const StateDict dict = net.state_dict();
  EXPECT_THAT(keys(dict), ElementsAre("gain", "layer1.0.weight", "layer1.0.bias", "layer1.2.weight", "layer1.2.bias",
                                      "head.affine.weight", "head.affine.bias", "head.scale.factor"));
  EXPECT_EQ(dict.size(), 8u);
  EXPECT_EQ(dict.at("head.scale.factor").to_vector<float>(), (std::vector<float>{2, 2, 2, 2}));
  EXPECT_EQ(dict.at("layer1.0.weight").to_vector<float>(), (std::vector<float>{1, 1, 1, 1}));
}

TEST(StateDict, EntriesAreDetachedAndShareStorageWithTheModule) {
  Net net(3);
  const StateDict dict = net.state_dict();
  for (const auto& [name, t] : dict) {
    EXPECT_FALSE(t.requires_grad()) << name;
    EXPECT_TRUE(t.is_leaf()) << name;
  }
  lucid::Tensor(dict.at("gain")).fill_(-1.5);
  lucid::Tensor(dict.at("head.scale.factor")).fill_(7.0);
  EXPECT_EQ(net.gain.to_vector<float>(), (std::vector<float>{-1.5f, -1.5f, -1.5f}));
  EXPECT_EQ(net.head->scale->factor.to_vector<float>(), (std::vector<float>{7, 7, 7}));
  // And the other way round.
  lucid::autograd::no_grad guard;
  net.head->affine->bias.fill_(0.5);
  EXPECT_EQ(dict.at("head.affine.bias").to_vector<float>(), (std::vector<float>{0.5f, 0.5f, 0.5f}));
}

TEST(StateDict, LookupAndReplace) {
  StateDict dict;
  EXPECT_TRUE(dict.empty());
  dict.insert_or_assign("a", lucid::ones({2}));
  dict.insert_or_assign("b", lucid::zeros({1}));
  dict.insert_or_assign("a", lucid::full({3}, 4.0));
  EXPECT_THAT(keys(dict), ElementsAre("a", "b"));
  EXPECT_EQ(dict.at("a").to_vector<float>(), (std::vector<float>{4, 4, 4}));
  EXPECT_TRUE(dict.contains("b"));
  EXPECT_EQ(dict.find("c"), nullptr);
  try {
    dict.at("missing.key");
    FAIL() << "expected ValueError";
  } catch (const lucid::ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.key"));
  }
}

TEST(LoadStateDict, RoundTripReproducesTheForward) {
  Net a(4);
  randomize(a, 1);
  Net b(4);
  const lucid::Tensor x = lucid::tensor({-1.0f, 0.25f, 0.5f, 2.0f, 0.0f, -0.75f, 1.5f, -2.0f}, {2, 4});
  ASSERT_NE(a(x).to_vector<float>(), b(x).to_vector<float>());
  const LoadStateDictResult result = b.load_state_dict(a.state_dict());
  EXPECT_TRUE(result.missing_keys.empty());
  EXPECT_TRUE(result.unexpected_keys.empty());
  EXPECT_EQ(snapshot(b), snapshot(a));
  EXPECT_EQ(b(x).to_vector<float>(), a(x).to_vector<float>());
  // Values were copied, not shared.
  const std::vector<float> loaded_gain = b.gain.to_vector<float>();
  {
    lucid::autograd::no_grad guard;
    a.gain.fill_(9.0);
  }
  EXPECT_EQ(b.gain.to_vector<float>(), loaded_gain);
  b.load_state_dict(a.state_dict());
  EXPECT_EQ(b.gain.to_vector<float>(), (std::vector<float>{9, 9, 9, 9}));
}

TEST(LoadStateDict, Float64SourceIsConvertedIntoAFloat32Module) {
  Affine m(3);
  StateDict dict;
  dict.insert_or_assign("weight", lucid::tensor(std::vector<double>{0.5, -2.0, 1.25}, {3}));
  dict.insert_or_assign("bias", lucid::tensor(std::vector<double>{0.1, 0.2, 0.3}, {3}));
  m.load_state_dict(dict);
  EXPECT_EQ(m.weight.dtype(), lucid::float32);
  EXPECT_EQ(m.weight.impl(), m.named_parameters()[0].second.impl());
  EXPECT_EQ(m.weight.to_vector<float>(), (std::vector<float>{0.5f, -2.0f, 1.25f}));
  EXPECT_EQ(m.bias.to_vector<float>(), (std::vector<float>{0.1f, 0.2f, 0.3f}));
}

TEST(LoadStateDict, LoadedParametersStayTrainableLeaves) {
  Affine a(2);
  randomize(a, 3);
  Affine b(2);
  b.load_state_dict(a.state_dict());
  for (const auto& [name, p] : b.named_parameters()) {
    EXPECT_TRUE(p.is_leaf()) << name;
    EXPECT_TRUE(p.requires_grad()) << name;
  }
  b(lucid::tensor({2.0f, 3.0f}, {2})).sum().backward();
  EXPECT_EQ(b.weight.grad().to_vector<float>(), (std::vector<float>{2.0f, 3.0f}));
}

// A load that must fail: the dict derived from a donor model with other values, whether the load
// is strict, and what the message must mention.
struct FailingLoad : Labeled {
  std::function<StateDict(const StateDict&)> edit;
  bool strict;
  std::vector<std::string> message_parts;
};

class LoadStateDictFails : public ::testing::TestWithParam<FailingLoad> {};

TEST_P(LoadStateDictFails, ThrowsValueErrorListingKeysAndChangesNothing) {
  Net donor(4);
  randomize(donor, 2);
  const StateDict dict = GetParam().edit(donor.state_dict());
  Net net(4);
  randomize(net, 5);
  const Snapshot before = snapshot(net);
  try {
    net.load_state_dict(dict, GetParam().strict);
    FAIL() << "expected ValueError";
  } catch (const lucid::ValueError& e) {
    for (const std::string& part : GetParam().message_parts) EXPECT_THAT(e.what(), HasSubstr(part));
  }
  EXPECT_EQ(snapshot(net), before);
}

StateDict with_wrong_shapes(const StateDict& dict) {
  StateDict out = dict;
  out.insert_or_assign("gain", lucid::ones({3}));
  out.insert_or_assign("head.scale.factor", lucid::ones({2, 4}));
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoadStateDictFails,
    ::testing::Values(
        FailingLoad{
            {"MissingKey"}, [](const StateDict& d) { return without(d, "layer1.2.bias"); }, true, {"layer1.2.bias"}},
        FailingLoad{{"MissingKeys"},
                    [](const StateDict& d) { return without(without(d, "gain"), "head.scale.factor"); },
                    true,
                    {"gain", "head.scale.factor"}},
        FailingLoad{{"UnexpectedKey"},
                    [](const StateDict& d) {
                      StateDict out = d;
                      out.insert_or_assign("layer1.1.weight", lucid::ones({4}));
                      return out;
                    },
                    true,
                    {"layer1.1.weight"}},
        FailingLoad{{"MissingAndUnexpected"},
                    [](const StateDict& d) {
                      StateDict out = without(d, "head.affine.weight");
                      out.insert_or_assign("head.affine.scale", lucid::ones({4}));
                      return out;
                    },
                    true,
                    {"head.affine.weight", "head.affine.scale"}},
        FailingLoad{{"WrongShape"}, with_wrong_shapes, true, {"gain", "(4,)", "(3,)", "head.scale.factor", "(2, 4)"}},
        FailingLoad{{"WrongShapeNonStrict"}, with_wrong_shapes, false, {"gain", "(4,)", "(3,)", "head.scale.factor"}},
        FailingLoad{{"WrongShapeNonStrictWithMissingKey"},
                    [](const StateDict& d) { return without(with_wrong_shapes(d), "layer1.0.bias"); },
                    false,
                    {"gain", "(3,)"}},
        FailingLoad{{"UndefinedValue"},
                    [](const StateDict& d) {
                      StateDict out = d;
                      out.insert_or_assign("layer1.0.weight", lucid::Tensor());
                      return out;
                    },
                    true,
                    {"layer1.0.weight"}}),
    ParamLabel());

TEST(LoadStateDict, NonStrictReportsMissingAndUnexpectedKeysAndLoadsTheRest) {
  Net donor(4);
  randomize(donor, 4);
  StateDict dict = without(without(donor.state_dict(), "gain"), "head.scale.factor");
  dict.insert_or_assign("extra", lucid::ones({1}));
  dict.insert_or_assign("head.extra", lucid::ones({2}));
  Net net(4);
  const LoadStateDictResult result = net.load_state_dict(dict, /*strict=*/false);
  EXPECT_THAT(result.missing_keys, ElementsAre("gain", "head.scale.factor"));
  EXPECT_THAT(result.unexpected_keys, ElementsAre("extra", "head.extra"));
  // Missing entries keep their values; present ones are loaded.
  EXPECT_EQ(net.gain.to_vector<float>(), (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(net.head->scale->factor.to_vector<float>(), (std::vector<float>{2, 2, 2, 2}));
  const StateDict loaded = net.state_dict();
  const StateDict source = donor.state_dict();
  for (const auto& [name, t] : loaded) {
    if (name == "gain" || name == "head.scale.factor") continue;
    EXPECT_EQ(t.to_vector<float>(), source.at(name).to_vector<float>()) << name;
  }
}

}  // namespace
}  // namespace lucid_test
