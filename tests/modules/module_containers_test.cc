// ModuleList and ModuleDict: PyTorch's child names and state_dict keys ("0.weight", "blocks.1.bias",
// "heads.cls.weight"), printed trees as PyTorch 1.13 prints them, indexing, iteration, extend, keys in
// insertion order, and their errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> state_keys(const nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& [key, value] : m.state_dict()) out.push_back(key);
  return out;
}

TEST(ModuleList, NamesChildrenByIndexLikePyTorch) {
  nn::ModuleList list;
  EXPECT_TRUE(list.empty());
  list.push_back(nn::Linear(2, 2));
  list.append(std::make_shared<nn::ReLU>());
  list.append(nn::Linear(2, 3, {.bias = false}));
  EXPECT_EQ(list.size(), 3u);
  EXPECT_THAT(state_keys(list), ElementsAre("0.weight", "0.bias", "2.weight"));
  EXPECT_EQ(list.repr(),
            "ModuleList(\n"
            "  (0): Linear(in_features=2, out_features=2, bias=True)\n"
            "  (1): ReLU()\n"
            "  (2): Linear(in_features=2, out_features=3, bias=False)\n"
            ")");
  EXPECT_EQ(nn::ModuleList().repr(), "ModuleList()");
  EXPECT_NE(dynamic_cast<nn::ReLU*>(list[1].get()), nullptr);
}

TEST(ModuleList, IteratesInOrderAndExtends) {
  auto a = std::make_shared<nn::Linear>(2, 2);
  auto b = std::make_shared<nn::Tanh>();
  nn::ModuleList list(a, b);
  std::vector<const nn::Module*> seen;
  for (const auto& m : list) seen.push_back(m.get());
  EXPECT_THAT(seen, ElementsAre(a.get(), b.get()));
  nn::ModuleList more;
  more.extend(list);
  more.extend({std::make_shared<nn::Linear>(2, 1)});
  EXPECT_EQ(more.size(), 3u);
  EXPECT_EQ(more[0].get(), a.get());  // shared, not copied
  EXPECT_THAT(state_keys(more), ElementsAre("0.weight", "0.bias", "2.weight", "2.bias"));
  list.extend(list);  // by itself: each module once more
  EXPECT_EQ(list.size(), 4u);
}

TEST(ModuleList, RunsInAHandWrittenForward) {
  nn::ModuleList blocks(nn::Linear(3, 3, {.dtype = float64}), nn::Linear(3, 3, {.dtype = float64}));
  Tensor x = ones({1, 3}, float64);
  Tensor y = x;
  for (const auto& block : blocks) y = (*block)(y);
  auto& first = static_cast<nn::Linear&>(*blocks[0]);
  auto& second = static_cast<nn::Linear&>(*blocks[1]);
  expect_values_near(y, {1, 3}, second(first(x)).to_vector<double>(), 0.0);
  EXPECT_THAT(error_message<RuntimeError>([&] { (void)blocks(x); }), HasSubstr("does not define forward"));
}

TEST(ModuleList, OutOfRangeIndexNamesTheSize) {
  nn::ModuleList list(nn::ReLU{});
  EXPECT_THAT(error_message<ValueError>([&] { (void)list[1]; }),
              HasSubstr("ModuleList index 1 is out of range for 1 modules"));
}

// A model with a ModuleList and a ModuleDict of blocks, as one writes it in PyTorch.
class Tower : public nn::Module {
 public:
  Tower() {
    blocks = register_module("blocks", std::make_shared<nn::ModuleList>());
    blocks->push_back(nn::Linear(1, 1));
    blocks->push_back(nn::Linear(1, 1));
    heads = register_module("heads", std::make_shared<nn::ModuleDict>());
    heads->insert("a", nn::Linear(1, 2));
  }
  std::shared_ptr<nn::ModuleList> blocks;
  std::shared_ptr<nn::ModuleDict> heads;
};

TEST(ModuleContainers, NestedNamesAndReprMatchPyTorch) {
  Tower m;
  EXPECT_THAT(state_keys(m), ElementsAre("blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
                                         "heads.a.weight", "heads.a.bias"));
  EXPECT_EQ(m.repr(),
            "Tower(\n"
            "  (blocks): ModuleList(\n"
            "    (0): Linear(in_features=1, out_features=1, bias=True)\n"
            "    (1): Linear(in_features=1, out_features=1, bias=True)\n"
            "  )\n"
            "  (heads): ModuleDict(\n"
            "    (a): Linear(in_features=1, out_features=2, bias=True)\n"
            "  )\n"
            ")");
}

TEST(ModuleDict, KeysInInsertionOrderLikePyTorch) {
  nn::ModuleDict dict({{"enc", std::make_shared<nn::Linear>(2, 3)}, {"act", std::make_shared<nn::ReLU>()}});
  dict.insert("dec", nn::Linear(3, 2));
  EXPECT_THAT(dict.keys(), ElementsAre("enc", "act", "dec"));
  EXPECT_EQ(dict.size(), 3u);
  EXPECT_TRUE(dict.contains("act"));
  EXPECT_FALSE(dict.contains("missing"));
  EXPECT_NE(dynamic_cast<nn::ReLU*>(dict["act"].get()), nullptr);
  std::vector<std::string> iterated;
  for (const auto& [key, module] : dict) iterated.push_back(key);
  EXPECT_EQ(iterated, dict.keys());
  EXPECT_THAT(state_keys(dict), ElementsAre("enc.weight", "enc.bias", "dec.weight", "dec.bias"));
  EXPECT_EQ(dict.repr(),
            "ModuleDict(\n"
            "  (enc): Linear(in_features=2, out_features=3, bias=True)\n"
            "  (act): ReLU()\n"
            "  (dec): Linear(in_features=3, out_features=2, bias=True)\n"
            ")");
  EXPECT_EQ(nn::ModuleDict().repr(), "ModuleDict()");
}

TEST(ModuleDict, RejectsMissingDuplicateAndDottedKeys) {
  nn::ModuleDict dict;
  dict.insert("a", nn::ReLU{});
  EXPECT_THAT(error_message<ValueError>([&] { (void)dict["b"]; }), HasSubstr("ModuleDict has no key 'b'"));
  EXPECT_THAT(error_message<ValueError>([&] { dict.insert("a", nn::Tanh{}); }),
              HasSubstr("already has an attribute named 'a'"));
  EXPECT_THAT(error_message<ValueError>([&] { dict.insert("x.y", nn::Tanh{}); }), HasSubstr("contain no '.'"));
  EXPECT_EQ(dict.size(), 1u);
  EXPECT_THAT(dict.keys(), ElementsAre("a"));
}

}  // namespace
}  // namespace lucid::test
