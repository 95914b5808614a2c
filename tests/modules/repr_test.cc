// Printing: name(), extra_repr() and the module tree in the layout of PyTorch's nn.Module.__repr__
// (one "(name): child" line per child, indented two spaces per level; extra_repr on the first line
// of a leaf, on its own indented lines when there are children or it spans several lines).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <sstream>
#include <string>

#include "lucid.h"
#include "tests/modules/test_modules.h"

namespace lucid_test {

// A class template: its name is the class name with its arguments, no namespaces anywhere.
template <typename Inner>
class Wrapper : public lucid::nn::Module {
 public:
  Wrapper() { inner = register_module("inner", std::make_shared<Inner>()); }
  std::shared_ptr<Inner> inner;
};

namespace {

using lucid::nn::Module;
using lucid::nn::Sequential;

// A leaf whose extra_repr spans two lines.
class Multi : public Module {
 public:
  std::string extra_repr() const override { return "a=1\nb=2"; }
};

TEST(ModuleName, IsTheClassNameWithoutNamespaces) {
  EXPECT_EQ(Affine(2).name(), "Affine");
  EXPECT_EQ(Tanh().name(), "Tanh");
  EXPECT_EQ(Sequential().name(), "Sequential");
  EXPECT_EQ(Multi().name(), "Multi");  // anonymous namespace
  EXPECT_EQ(Wrapper<Tanh>().name(), "Wrapper<Tanh>");
  EXPECT_EQ(Wrapper<Multi>().name(), "Wrapper<Multi>");
}

TEST(ModuleName, IsTheDynamicType) {
  const std::unique_ptr<Module> m = std::make_unique<Block>(2);
  EXPECT_EQ(m->name(), "Block");
}

TEST(ModuleRepr, ExtraRepr) {
  EXPECT_EQ(Affine(4).extra_repr(), "n=4");
  EXPECT_EQ(Tanh().extra_repr(), "");
}

struct ReprCase : Labeled {
  std::function<std::shared_ptr<Module>()> make;
  std::string expected;
};

class ModuleReprTree : public ::testing::TestWithParam<ReprCase> {};

TEST_P(ModuleReprTree, MatchesPyTorchLayout) {
  const std::shared_ptr<Module> m = GetParam().make();
  EXPECT_EQ(m->repr(), GetParam().expected);
  std::ostringstream os;
  os << *m;
  EXPECT_EQ(os.str(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ModuleReprTree,
    ::testing::Values(ReprCase{{"Leaf"}, [] { return std::make_shared<Affine>(4); }, "Affine(n=4)"},
                      ReprCase{{"LeafWithoutExtraRepr"}, [] { return std::make_shared<Tanh>(); }, "Tanh()"},
                      ReprCase{{"EmptySequential"}, [] { return std::make_shared<Sequential>(); }, "Sequential()"},
                      ReprCase{{"Sequential"},
                               [] { return std::make_shared<Sequential>(Affine(4), Tanh()); },
                               "Sequential(\n"
                               "  (0): Affine(n=4)\n"
                               "  (1): Tanh()\n"
                               ")"},
                      ReprCase{"NestedSequentials",
                               [] {
                                 return std::make_shared<Sequential>(Affine(4),
                                                                     Sequential(Tanh(), Sequential(Affine(2))), Tanh());
                               },
                               "Sequential(\n"
                               "  (0): Affine(n=4)\n"
                               "  (1): Sequential(\n"
                               "    (0): Tanh()\n"
                               "    (1): Sequential(\n"
                               "      (0): Affine(n=2)\n"
                               "    )\n"
                               "  )\n"
                               "  (2): Tanh()\n"
                               ")"},
                      ReprCase{{"ExtraReprWithChildren"},
                               [] { return std::make_shared<Block>(4); },
                               "Block(\n"
                               "  n=4\n"
                               "  (affine): Affine(n=4)\n"
                               "  (act): Tanh()\n"
                               "  (scale): Scale()\n"
                               ")"},
                      ReprCase{{"MultiLineExtraRepr"},
                               [] { return std::make_shared<Multi>(); },
                               "Multi(\n"
                               "  a=1\n"
                               "  b=2\n"
                               ")"},
                      ReprCase{{"MultiLineExtraReprChild"},
                               [] { return std::make_shared<Sequential>(Multi()); },
                               "Sequential(\n"
                               "  (0): Multi(\n"
                               "    a=1\n"
                               "    b=2\n"
                               "  )\n"
                               ")"},
                      ReprCase{{"SequentialInsideAModule"},
                               [] { return std::make_shared<Net>(4); },
                               "Net(\n"
                               "  (layer1): Sequential(\n"
                               "    (0): Affine(n=4)\n"
                               "    (1): Tanh()\n"
                               "    (2): Affine(n=4)\n"
                               "  )\n"
                               "  (head): Block(\n"
                               "    n=4\n"
                               "    (affine): Affine(n=4)\n"
                               "    (act): Tanh()\n"
                               "    (scale): Scale()\n"
                               "  )\n"
                               ")"}),
    ParamLabel());

}  // namespace
}  // namespace lucid_test
