// GroupNorm with a fused activation epilogue (functional::group_norm's Activation, GroupNormOptions::
// activation): values and gradients against the unfused pair activation(group_norm(x)) computed in
// float64, first and second order gradients against central differences, what the backward keeps,
// the printed module, the graph node's name, and Sequential's fusion of GroupNorm with the activation
// module after it.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/modules/activation_util.h"
#include "tests/test_util.h"

namespace {

using lucid::Tensor;
using lucid::nn::Activation;
namespace F = lucid::nn::functional;

const Activation kActivations[] = {Activation::relu, Activation::silu, Activation::gelu, Activation::sigmoid,
                                   Activation::tanh};

std::string name_of(const ::testing::TestParamInfo<Activation>& info) {
  return std::string(lucid::nn::activation_name(info.param));
}

class GroupNormEpilogue : public ::testing::TestWithParam<Activation> {};

// max |a − b| / (1 + |b|) over the elements.
double max_relative_error(const Tensor& a, const Tensor& b) {
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  EXPECT_EQ(va.size(), vb.size());
  double worst = 0;
  for (std::size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::abs(va[i] - vb[i]) / (1 + std::abs(vb[i])));
  return worst;
}

// float32 fused forward and backward against the unfused pair run in float64 on the same values.
TEST_P(GroupNormEpilogue, Float32MatchesTheUnfusedPairInFloat64) {
  lucid::manual_seed(21);
  const Activation act = GetParam();
  const Tensor x = lucid::randn({4, 12, 5, 7}) * 2.0 + 0.5, dy = lucid::randn({4, 12, 5, 7});
  const Tensor w = lucid::randn({12}), b = lucid::randn({12});
  std::vector<Tensor> fused{x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()};
  std::vector<Tensor> ref{x.to(lucid::float64).requires_grad_(), w.to(lucid::float64).requires_grad_(),
                          b.to(lucid::float64).requires_grad_()};
  const Tensor y = F::group_norm(fused[0], 3, fused[1], fused[2], 1e-5, act);
  const Tensor y_ref = lucid::test::apply_activation(act, F::group_norm(ref[0], 3, ref[1], ref[2], 1e-5));
  EXPECT_LT(max_relative_error(y, y_ref), 1e-5);
  y.backward(dy);
  y_ref.backward(dy.to(lucid::float64));
  for (std::size_t k = 0; k < 3; ++k) EXPECT_LT(max_relative_error(fused[k].grad(), ref[k].grad()), 1e-4) << "input " << k;
}

TEST_P(GroupNormEpilogue, FirstAndSecondOrderGradients) {
  lucid::manual_seed(22);
  const Activation act = GetParam();
  const std::vector<Tensor> inputs{lucid::randn({2, 6, 3, 2}, lucid::float64, true),
                                   lucid::randn({6}, lucid::float64, true), lucid::randn({6}, lucid::float64, true)};
  const auto fn = [act](const std::vector<Tensor>& in) { return F::group_norm(in[0], 3, in[1], in[2], 1e-5, act); };
  EXPECT_GRADCHECK(fn, inputs);
  EXPECT_GRADGRADCHECK(fn, inputs);
}

TEST_P(GroupNormEpilogue, WithoutAffineMatchesTheUnfusedPair) {
  lucid::manual_seed(23);
  const Activation act = GetParam();
  const Tensor x = lucid::randn({3, 4, 9}, lucid::float64, true), x_ref = x.detach().requires_grad_();
  const Tensor dy = lucid::randn({3, 4, 9}, lucid::float64);
  const Tensor y = F::group_norm(x, 2, {}, {}, 1e-5, act);
  const Tensor y_ref = lucid::test::apply_activation(act, F::group_norm(x_ref, 2, {}, {}, 1e-5));
  EXPECT_LT(max_relative_error(y, y_ref), 1e-12);
  y.backward(dy);
  y_ref.backward(dy);
  EXPECT_LT(max_relative_error(x.grad(), x_ref.grad()), 1e-12);
}

// The fused kernels' backward and the differentiable one used under create_graph agree.
TEST_P(GroupNormEpilogue, FusedAndCompositeBackwardAgree) {
  lucid::manual_seed(24);
  const Activation act = GetParam();
  const Tensor x0 = lucid::randn({3, 6, 7}, lucid::float64), dy = lucid::randn({3, 6, 7}, lucid::float64);
  const Tensor w0 = lucid::randn({6}, lucid::float64), b0 = lucid::randn({6}, lucid::float64);
  std::vector<Tensor> grads[2];
  for (int create_graph = 0; create_graph < 2; ++create_graph) {
    const Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_(), b = b0.clone().requires_grad_();
    F::group_norm(x, 3, w, b, 1e-5, act).backward(dy, false, create_graph == 1);
    for (const Tensor& t : {x, w, b}) {
      grads[create_graph].push_back(t.grad().detach());
      t.set_grad({});  // a create_graph gradient's graph holds its leaf: a reference cycle until reset
    }
  }
  for (std::size_t k = 0; k < 3; ++k) EXPECT_LT(max_relative_error(grads[0][k], grads[1][k]), 1e-12) << "input " << k;
}

// The backward keeps x and the bias it recomputes z from: writing either in place before backward is
// the saved-tensor error, never a silently wrong gradient.
TEST_P(GroupNormEpilogue, ModifyingASavedInputBeforeBackwardRaises) {
  const Activation act = GetParam();
  const Tensor x = lucid::randn({2, 4, 3}, lucid::float64, true);
  const Tensor b = lucid::randn({4}, lucid::float64, true), w = lucid::randn({4}, lucid::float64, true);
  {
    Tensor input = x * 1.0;
    const Tensor y = F::group_norm(input, 2, w, b, 1e-5, act);
    input.mul_(2.0);
    EXPECT_THROW(y.sum().backward(), lucid::RuntimeError);
  }
  {
    Tensor bias = b * 1.0;
    const Tensor y = F::group_norm(x, 2, w, bias, 1e-5, act);
    bias.add_(1.0);
    EXPECT_THROW(y.sum().backward(), lucid::RuntimeError);
  }
}

TEST_P(GroupNormEpilogue, NodeIsNamedAfterThePair) {
  const Activation act = GetParam();
  const Tensor x = lucid::randn({2, 4, 3}, lucid::float64, true);
  const Tensor y = F::group_norm(x, 2, {}, {}, 1e-5, act);
  EXPECT_EQ(y.grad_fn()->name(), "GroupNorm" + std::string(lucid::nn::activation_name(act)) + "Backward");
}

TEST_P(GroupNormEpilogue, ModuleAppliesAndPrintsItsActivation) {
  lucid::manual_seed(25);
  const Activation act = GetParam();
  lucid::nn::GroupNorm gn(2, 4, {.activation = act, .dtype = lucid::float64});
  lucid::nn::GroupNorm plain(2, 4, {.dtype = lucid::float64});
  EXPECT_EQ(gn.extra_repr(), "2, 4, eps=1e-05, affine=True, activation=" + std::string(lucid::nn::activation_name(act)));
  const Tensor x = lucid::randn({3, 4, 5}, lucid::float64);
  EXPECT_LT(max_relative_error(gn(x), lucid::test::apply_activation(act, plain(x))), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Activations, GroupNormEpilogue, ::testing::ValuesIn(kActivations), name_of);

TEST(GroupNormEpilogueNone, IsThePlainGroupNormBitForBit) {
  lucid::manual_seed(26);
  const Tensor x = lucid::randn({4, 8, 6, 6}) * 3.0 + 10.0, w = lucid::randn({8}), b = lucid::randn({8});
  const std::vector<float> plain = F::group_norm(x, 4, w, b).to_vector<float>();
  const std::vector<float> none = F::group_norm(x, 4, w, b, 1e-5, Activation::none).to_vector<float>();
  lucid::test::expect_bit_identical_on_one_and_two_threads(plain, none, "group_norm vs Activation::none");
  lucid::nn::GroupNorm gn(4, 8);
  EXPECT_EQ(gn.extra_repr(), "4, 8, eps=1e-05, affine=True");
  EXPECT_STREQ(F::group_norm(x.detach().requires_grad_(), 4).grad_fn()->name(), "GroupNormBackward");
}

// ---------------------------------------------------------------------------------------------
// Sequential fuses GroupNorm → activation module

class SequentialFusion : public ::testing::TestWithParam<Activation> {};

TEST_P(SequentialFusion, RunsThePairAsOneNodeWithTheSameResults) {
  lucid::manual_seed(27);
  const Activation act = GetParam();
  lucid::nn::Sequential net(lucid::nn::GroupNorm(2, 4, {.dtype = lucid::float64}), lucid::test::activation_module(act));
  for (Tensor p : net.parameters()) lucid::nn::init::uniform_(p, -1, 1);
  const Tensor x = lucid::randn({3, 4, 5}, lucid::float64, true), x_ref = x.detach().requires_grad_();
  const Tensor y = net(x);
  EXPECT_EQ(std::string(y.grad_fn()->name()), "GroupNorm" + std::string(lucid::nn::activation_name(act)) + "Backward");
  y.sum().backward();
  const Tensor w_grad = net.parameters()[0].grad();
  net.zero_grad();
  net.fuse_activations = false;
  const Tensor y_ref = net(x_ref);
  EXPECT_STRNE(y_ref.grad_fn()->name(), y.grad_fn()->name());
  y_ref.sum().backward();
  EXPECT_LT(max_relative_error(y, y_ref), 1e-12);
  EXPECT_LT(max_relative_error(x.grad(), x_ref.grad()), 1e-12);
  EXPECT_LT(max_relative_error(w_grad, net.parameters()[0].grad()), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Activations, SequentialFusion, ::testing::ValuesIn(kActivations), name_of);

TEST(SequentialFusionVisible, KeysTreeAndInplaceActivationsAsBefore) {
  lucid::nn::Sequential net(lucid::nn::GroupNorm(2, 4), lucid::nn::SiLU({.inplace = true}), lucid::nn::Identity());
  std::vector<std::string> keys;
  for (const auto& [key, value] : net.state_dict()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"0.weight", "0.bias"}));
  EXPECT_EQ(net.repr(),
            "Sequential(\n  (0): GroupNorm(2, 4, eps=1e-05, affine=True)\n  (1): SiLU(inplace=True)\n  (2): Identity()\n)");
  const Tensor x = lucid::randn({2, 4, 3});
  EXPECT_STREQ(net(x).grad_fn()->name(), "GroupNormSiLUBackward");
}

// Where the intermediate is observable, or the modules might not be lucid's own, each runs alone.
TEST(SequentialFusionVisible, PairsThatDoNotFuse) {
  const Tensor x = lucid::randn({2, 4, 3});
  const auto last_node = [&](lucid::nn::Sequential& net) { return std::string(net(x).grad_fn()->name()); };
  {
    lucid::nn::Sequential net(lucid::nn::GroupNorm(2, 4), lucid::nn::SiLU());
    int seen = 0;
    auto handle = net[0]->register_forward_hook([&](lucid::nn::Module&, const Tensor&, const Tensor&) {
      ++seen;
      return std::optional<Tensor>();
    });
    EXPECT_EQ(last_node(net), "SiluBackward");
    EXPECT_EQ(seen, 1);
    handle.remove();
    EXPECT_EQ(last_node(net), "GroupNormSiLUBackward");  // fused again once the hook is gone
  }
  {
    lucid::nn::Sequential net(lucid::nn::GroupNorm(2, 4), lucid::nn::SiLU());
    auto handle = net[1]->register_forward_pre_hook([](lucid::nn::Module&, const Tensor&) { return std::optional<Tensor>(); });
    EXPECT_EQ(last_node(net), "SiluBackward");
  }
  {
    lucid::nn::Sequential net(lucid::nn::GroupNorm(2, 4), lucid::nn::GELU({.approximate = "tanh"}));
    EXPECT_EQ(last_node(net), "GeluTanhBackward");
  }
  {
    lucid::nn::Sequential net(lucid::nn::GroupNorm(2, 4, {.activation = Activation::relu}), lucid::nn::Tanh());
    EXPECT_EQ(last_node(net), "TanhBackward");
  }
  {
    struct ScaledSiLU : lucid::nn::SiLU {
      Tensor forward(const Tensor& input) override { return lucid::silu(input) * 2.0; }
    };
    lucid::nn::Sequential net(lucid::nn::GroupNorm(2, 4), ScaledSiLU());
    EXPECT_EQ(last_node(net), "MulScalarBackward");
  }
}

}  // namespace
