// Module::to(dtype): parameters, gradients and floating buffers converted in place (the layer's own
// members see it), values kept, the model usable at once in the new dtype, int64 buffers kept.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using ::testing::HasSubstr;

class WithBuffers : public nn::Module {
 public:
  WithBuffers() {
    fc = register_module("fc", std::make_shared<nn::Linear>(3, 2));
    running = register_buffer("running", ones({2}));
    count = register_buffer("count", zeros({1}, int64));
  }
  Tensor forward(const Tensor& x) override { return (*fc)(x) * running; }
  std::shared_ptr<nn::Linear> fc;
  Tensor running, count;
};

TEST(ModuleTo, ConvertsParametersGradientsAndFloatingBuffersInPlace) {
  WithBuffers m;
  const std::vector<double> weight = m.fc->weight.to_vector<double>();
  m.fc->weight.set_grad(ones({2, 3}));
  nn::Module& same = m.to(float64);
  EXPECT_EQ(&same, &m);
  EXPECT_EQ(m.fc->weight.dtype(), float64);  // the layer's own member, not a copy
  EXPECT_EQ(m.fc->bias.dtype(), float64);
  EXPECT_EQ(m.parameters()[0].dtype(), float64);
  EXPECT_EQ(m.fc->weight.to_vector<double>(), weight);  // float32 values are exact in float64
  EXPECT_TRUE(m.fc->weight.requires_grad() && m.fc->weight.is_leaf());
  EXPECT_EQ(m.fc->weight.grad().dtype(), float64);
  EXPECT_EQ(m.running.dtype(), float64);
  EXPECT_EQ(m.count.dtype(), int64);
  for (const auto& [name, t] : m.state_dict()) EXPECT_EQ(t.dtype(), name == "count" ? int64 : float64) << name;

  const Tensor y = m(ones({4, 3}, float64));  // runs in float64 right away
  EXPECT_EQ(y.dtype(), float64);
  y.sum().backward();
  EXPECT_EQ(m.fc->bias.grad().dtype(), float64);
  m.to(float32);
  EXPECT_EQ(m.fc->weight.dtype(), float32);
  EXPECT_EQ(m.fc->weight.to_vector<double>(), weight);  // and back without loss
}

TEST(ModuleTo, AnOptimizerMadeAfterwardsStepsTheConvertedTensors) {
  nn::Linear fc(2, 1);
  fc.to(float64);
  optim::SGD opt(fc.parameters(), {.lr = 0.5});
  fc(ones({1, 2}, float64)).sum().backward();
  const double before = fc.bias.item();
  opt.step();
  EXPECT_DOUBLE_EQ(fc.bias.item(), before - 0.5);
}

TEST(ModuleTo, RejectsInt64) {
  nn::Linear fc(2, 1);
  EXPECT_THAT(error_message<ValueError>([&] { fc.to(int64); }),
              HasSubstr("Linear.to(int64): a module converts only to a floating dtype"));
  EXPECT_EQ(fc.weight.dtype(), float32);
}

}  // namespace
}  // namespace lucid::test
