// lucid::nn::GroupNorm and functional::group_norm: construction and printing as in the reference
// documentation of GroupNorm in Lucid, the Python library (kept outside this repository), and in
// PyTorch, argument errors, the reference's two examples, gradients against central differences
// (first and second order), which gradients are computed, no_grad, NaN isolation between groups,
// thread-count independence, float32 accuracy under a large common offset, and float32 gradients
// against the same computation in float64. Values against PyTorch are in group_norm_parity_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/scoped_thread_count.h"
#include "tests/test_util.h"

namespace {

using lucid::Shape;
using lucid::Tensor;
using lucid::ValueError;
using lucid::nn::GroupNorm;
using lucid::test::contains;
using lucid::test::error_message;
namespace F = lucid::nn::functional;

// Biased mean and variance of each (n, group) block of t, in float64: t is (N, C, *) and a group's
// C/G channels are contiguous.
struct GroupMoments {
  std::vector<double> mean, var;
};
GroupMoments group_moments(const Tensor& t, std::int64_t groups) {
  const std::vector<double> v = t.to_vector<double>();
  const std::size_t items = static_cast<std::size_t>(t.size(0) * groups);
  const std::size_t m = v.size() / items;
  GroupMoments out{std::vector<double>(items), std::vector<double>(items)};
  for (std::size_t i = 0; i < items; ++i) {
    double sum = 0, sq = 0;
    for (std::size_t k = 0; k < m; ++k) sum += v[i * m + k];
    out.mean[i] = sum / static_cast<double>(m);
    for (std::size_t k = 0; k < m; ++k) sq += (v[i * m + k] - out.mean[i]) * (v[i * m + k] - out.mean[i]);
    out.var[i] = sq / static_cast<double>(m);
  }
  return out;
}

// The values of t, bit for bit (T is t's element type).
template <typename T>
std::vector<unsigned char> bits(const Tensor& t) {
  std::vector<unsigned char> out(static_cast<std::size_t>(t.numel()) * sizeof(T));
  std::memcpy(out.data(), t.data<T>(), out.size());
  return out;
}

// Random float64 leaves for the affine parameters: γ around 1, β around 0.
Tensor random_weight(std::int64_t c) {
  return (lucid::randn({c}, lucid::float64) * 0.5 + 1.0).detach().requires_grad_();
}
Tensor random_bias(std::int64_t c) { return (lucid::randn({c}, lucid::float64) * 0.5).detach().requires_grad_(); }

// ---------------------------------------------------------------------------------------------
// Construction, parameters, printing

TEST(GroupNormModule, DefaultsMatchTheReference) {
  GroupNorm gn(8, 32);
  EXPECT_EQ(gn.num_groups(), 8);
  EXPECT_EQ(gn.num_channels(), 32);
  EXPECT_EQ(gn.options.eps, 1e-5);
  EXPECT_TRUE(gn.options.affine);
  ASSERT_TRUE(gn.weight.defined() && gn.bias.defined());
  EXPECT_EQ(gn.weight.shape(), Shape({32}));
  EXPECT_EQ(gn.bias.shape(), Shape({32}));
  EXPECT_EQ(gn.weight.dtype(), lucid::float32);
  EXPECT_EQ(gn.weight.to_vector<double>(), std::vector<double>(32, 1.0));
  EXPECT_EQ(gn.bias.to_vector<double>(), std::vector<double>(32, 0.0));
  EXPECT_TRUE(gn.weight.requires_grad() && gn.bias.requires_grad());
  EXPECT_TRUE(gn.weight.is_leaf() && gn.bias.is_leaf());
}

TEST(GroupNormModule, RegistersWeightAndBias) {
  GroupNorm gn(2, 4);
  const auto named = gn.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "weight");
  EXPECT_EQ(named[1].first, "bias");
  EXPECT_EQ(named[0].second.impl(), gn.weight.impl());  // the registry holds the public members
  EXPECT_EQ(named[1].second.impl(), gn.bias.impl());
  EXPECT_EQ(gn.parameters().size(), 2u);
}

TEST(GroupNormModule, WithoutAffineHasNoParameters) {
  GroupNorm gn(2, 4, 1e-5, false);
  EXPECT_FALSE(gn.options.affine);
  EXPECT_FALSE(gn.weight.defined());
  EXPECT_FALSE(gn.bias.defined());
  EXPECT_TRUE(gn.parameters().empty());
  EXPECT_TRUE(gn.named_parameters().empty());
  EXPECT_EQ(gn(lucid::randn({2, 4, 3})).shape(), Shape({2, 4, 3}));
}

TEST(GroupNormModule, OptionsOverload) {
  GroupNorm gn(8, 32, {.eps = 1e-3, .affine = false});
  EXPECT_EQ(gn.num_groups(), 8);
  EXPECT_EQ(gn.num_channels(), 32);
  EXPECT_EQ(gn.options.eps, 1e-3);
  EXPECT_FALSE(gn.options.affine);
  EXPECT_TRUE(gn.parameters().empty());
  EXPECT_EQ(gn.extra_repr(), "8, 32, eps=0.001, affine=False");

  GroupNorm wide(4, 8, {.dtype = lucid::float64});
  EXPECT_EQ(wide.options.eps, 1e-5);
  EXPECT_EQ(wide.weight.dtype(), lucid::float64);
  EXPECT_EQ(wide.bias.dtype(), lucid::float64);
}

TEST(GroupNormModule, ResetParametersRestoresOnesAndZeros) {
  GroupNorm gn(2, 4);
  {
    lucid::autograd::no_grad guard;
    gn.weight.fill_(3.0);
    gn.bias.fill_(-2.0);
  }
  const auto weight_impl = gn.weight.impl();
  gn.reset_parameters();
  EXPECT_EQ(gn.weight.to_vector<double>(), std::vector<double>(4, 1.0));
  EXPECT_EQ(gn.bias.to_vector<double>(), std::vector<double>(4, 0.0));
  EXPECT_EQ(gn.weight.impl(), weight_impl);  // in place: the registry and optimisers keep their handle
  EXPECT_TRUE(gn.weight.requires_grad());

  GroupNorm plain(2, 4, 1e-5, false);
  plain.reset_parameters();  // nothing to reset
  EXPECT_FALSE(plain.weight.defined());
}

TEST(GroupNormModule, ExtraReprAndPrintedModule) {
  GroupNorm gn(8, 32);
  EXPECT_EQ(gn.extra_repr(), "8, 32, eps=1e-05, affine=True");
  std::ostringstream os;
  os << gn;
  EXPECT_EQ(os.str(), "GroupNorm(8, 32, eps=1e-05, affine=True)");
  EXPECT_EQ(GroupNorm(1, 128, 1e-3, false).repr(), "GroupNorm(1, 128, eps=0.001, affine=False)");
}

// eps is printed as Python's repr(float) (what PyTorch's extra_repr shows); expected strings from
// /usr/bin/python3 -c "print(repr(v))".
TEST(GroupNormModule, EpsPrintsLikePythonRepr) {
  const std::vector<std::pair<double, std::string>> cases = {
      {1e-5, "1e-05"}, {1e-3, "0.001"}, {0.1, "0.1"},        {1e-4, "0.0001"},    {1.0, "1.0"},
      {0.0, "0.0"},    {0.5, "0.5"},    {2.5e-7, "2.5e-07"}, {12345.0, "12345.0"}};
  for (const auto& [eps, text] : cases) {
    EXPECT_EQ(GroupNorm(1, 2, eps).extra_repr(), "1, 2, eps=" + text + ", affine=True") << eps;
  }
}

// Python writes floats below 1e16 positionally and keeps the '+' of positive exponents (a shortest
// %g form would print 10.0 as "1e+01"); functional::python_float (modules/functional/format.h) does too.
TEST(GroupNormModule, LargeEpsPrintsLikePythonRepr) {
  const std::vector<std::pair<double, std::string>> cases = {
      {10.0, "10.0"}, {100.0, "100.0"}, {1e15, "1000000000000000.0"}, {1e16, "1e+16"}};
  for (const auto& [eps, text] : cases) {
    EXPECT_EQ(GroupNorm(1, 2, eps).extra_repr(), "1, 2, eps=" + text + ", affine=True") << eps;
  }
}

TEST(GroupNormModule, DeviceCpuOnly) {
  EXPECT_NO_THROW(GroupNorm(2, 4, 1e-5, true, "cpu"));
  EXPECT_NO_THROW(GroupNorm(2, 4, {.device = "cpu"}));
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(2, 4, 1e-5, true, "cuda"); }), "cuda"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(2, 4, {.device = "mps"}); }), "mps"));
}

// ---------------------------------------------------------------------------------------------
// Errors

TEST(GroupNormErrors, ConstructorNamesTheValues) {
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(0, 32); }), "num_groups (0)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(-2, 32); }), "num_groups (-2)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(8, 0); }), "num_channels (0)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(1, -3); }), "num_channels (-3)"));
  const std::string not_divisible = error_message<ValueError>([] { GroupNorm(8, 30); });
  EXPECT_TRUE(contains(not_divisible, "num_channels (30) must be divisible by num_groups (8)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(2, 4, -1e-5); }), "eps (-1e-05)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(2, 4, std::nan("")); }), "eps (nan)"));
}

// The module's constructor and the functional run one set of configuration checks: the same message
// for the same values, but for the op's name.
TEST(GroupNormErrors, ModuleAndFunctionalRaiseTheSameMessages) {
  struct Config {
    std::int64_t groups, channels;
    double eps;
  };
  for (const Config& c : {Config{0, 4, 1e-5}, Config{-3, 6, 1e-5}, Config{2, 0, 1e-5}, Config{4, 6, 1e-5},
                          Config{2, 4, -2.5e-7}, Config{2, 4, std::nan("")}, Config{0, 0, -1.0}}) {
    const std::string module = error_message<ValueError>([&] { GroupNorm(c.groups, c.channels, c.eps); });
    const std::string functional =
        error_message<ValueError>([&] { F::group_norm(lucid::zeros({1, c.channels, 3}), c.groups, {}, {}, c.eps); });
    ASSERT_EQ(module.rfind("GroupNorm: ", 0), 0u) << module;
    ASSERT_EQ(functional.rfind("group_norm: ", 0), 0u) << functional;
    EXPECT_EQ(module.substr(11), functional.substr(12));
  }
  // eps as Python prints it, in both.
  EXPECT_TRUE(contains(error_message<ValueError>([] { GroupNorm(2, 4, -2.5e-7); }), "eps (-2.5e-07)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { F::group_norm(lucid::zeros({1, 4}), 2, {}, {}, -10.0); }),
                       "eps (-10.0)"));
}

TEST(GroupNormErrors, ModuleRejectsAnotherChannelCount) {
  GroupNorm gn(8, 32);
  const std::string message = error_message<ValueError>([&] { gn(lucid::randn({2, 16, 4})); });
  EXPECT_TRUE(contains(message, "32"));
  EXPECT_TRUE(contains(message, "(2, 16, 4)"));
}

TEST(GroupNormErrors, FunctionalNamesTheValues) {
  const Tensor x = lucid::randn({2, 6, 4});
  const Tensor w6 = lucid::ones({6}), b6 = lucid::zeros({6});
  EXPECT_TRUE(contains(error_message<ValueError>([] { F::group_norm(lucid::randn({6}), 1); }), "(6"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { F::group_norm(lucid::randn(Shape{}), 1); }), "at least 2"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { F::group_norm(x, 0); }), "num_groups (0)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { F::group_norm(x, 4); }),
                       "num_channels (6) must be divisible by num_groups (4)"));

  const std::string short_weight = error_message<ValueError>([&] { F::group_norm(x, 2, lucid::ones({4}), b6); });
  EXPECT_TRUE(contains(short_weight, "weight"));
  EXPECT_TRUE(contains(short_weight, "(4"));
  EXPECT_TRUE(contains(short_weight, "num_channels (6)"));
  const std::string matrix_weight = error_message<ValueError>([&] { F::group_norm(x, 2, lucid::ones({6, 1}), b6); });
  EXPECT_TRUE(contains(matrix_weight, "(6, 1)"));
  const std::string short_bias = error_message<ValueError>([&] { F::group_norm(x, 2, w6, lucid::zeros({3})); });
  EXPECT_TRUE(contains(short_bias, "bias"));
  EXPECT_TRUE(contains(short_bias, "(3"));
  const std::string weight_dtype =
      error_message<ValueError>([&] { F::group_norm(x, 2, lucid::ones({6}, lucid::float64), b6); });
  EXPECT_TRUE(contains(weight_dtype, "weight"));
  EXPECT_TRUE(contains(weight_dtype, "float64"));
  EXPECT_TRUE(contains(weight_dtype, "float32"));
  const std::string bias_dtype =
      error_message<ValueError>([&] { F::group_norm(x, 2, w6, lucid::zeros({6}, lucid::float64)); });
  EXPECT_TRUE(contains(bias_dtype, "bias"));
  EXPECT_TRUE(contains(bias_dtype, "float64"));

  EXPECT_TRUE(contains(error_message<ValueError>([&] { F::group_norm(x, 2, w6, b6, -0.5); }), "eps (-0.5)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { F::group_norm(x, 2, w6, b6, std::nan("")); }), "eps (nan)"));
}

// ---------------------------------------------------------------------------------------------
// The reference documentation's examples

// gn = nn.GroupNorm(num_groups=8, num_channels=32); out = gn(lucid.randn(4, 32, 64, 64)).
TEST(GroupNormReference, ThirtyTwoChannelsInEightGroups) {
  lucid::manual_seed(0);
  GroupNorm gn(8, 32);
  const Tensor x = lucid::randn({4, 32, 64, 64});
  const Tensor out = gn(x);
  EXPECT_EQ(out.shape(), Shape({4, 32, 64, 64}));
  // With weight 1 and bias 0 each group has mean 0 and variance σ²/(σ² + eps) ≈ 1 − 1e-5.
  const GroupMoments in = group_moments(x, 8), got = group_moments(out, 8);
  for (std::size_t i = 0; i < got.mean.size(); ++i) {
    EXPECT_NEAR(got.mean[i], 0.0, 1e-6) << "group " << i;
    EXPECT_NEAR(got.var[i], in.var[i] / (in.var[i] + 1e-5), 1e-5) << "group " << i;
  }
}

// gn_layer = nn.GroupNorm(num_groups=1, num_channels=128); out_seq = gn_layer(lucid.randn(16, 128, 200)).
TEST(GroupNormReference, SingleGroupIsLayerNormOverASequence) {
  lucid::manual_seed(1);
  GroupNorm gn_layer(1, 128);
  const Tensor x_seq = lucid::randn({16, 128, 200});
  const Tensor out_seq = gn_layer(x_seq);
  EXPECT_EQ(out_seq.shape(), Shape({16, 128, 200}));
  const GroupMoments in = group_moments(x_seq, 1), got = group_moments(out_seq, 1);
  ASSERT_EQ(got.mean.size(), 16u);  // one group per sample: all channels at once
  for (std::size_t i = 0; i < got.mean.size(); ++i) {
    EXPECT_NEAR(got.mean[i], 0.0, 1e-6) << "sample " << i;
    EXPECT_NEAR(got.var[i], in.var[i] / (in.var[i] + 1e-5), 1e-5) << "sample " << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Gradients (float64, central differences)

struct GradShape {
  const char* name;
  Shape shape;
  std::int64_t groups;
};

const std::vector<GradShape> kGradShapes = {
    {"NCL", {2, 4, 3}, 2},
    {"NoSpatial", {3, 6}, 3},
    {"SingleGroup2d", {1, 4, 2, 3}, 1},
    {"GroupPerChannel", {2, 3, 5}, 3},
    {"Volumetric", {2, 2, 2, 2, 2}, 2},
};

class GroupNormGradients : public ::testing::TestWithParam<GradShape> {};

TEST_P(GroupNormGradients, AffineFirstAndSecondOrder) {
  lucid::manual_seed(3);
  const GradShape& s = GetParam();
  const Tensor x = lucid::randn(s.shape, lucid::float64, true);
  const std::vector<Tensor> inputs{x, random_weight(s.shape[1]), random_bias(s.shape[1])};
  const auto fn = [groups = s.groups](const std::vector<Tensor>& in) {
    return F::group_norm(in[0], groups, in[1], in[2], 1e-5);
  };
  EXPECT_GRADCHECK(fn, inputs);
  EXPECT_GRADGRADCHECK(fn, inputs);
}

TEST_P(GroupNormGradients, PlainFirstAndSecondOrder) {
  lucid::manual_seed(4);
  const GradShape& s = GetParam();
  const auto fn = [groups = s.groups](const std::vector<Tensor>& in) {
    return F::group_norm(in[0], groups, {}, {}, 1e-3);
  };
  EXPECT_GRADCHECK(fn, {lucid::randn(s.shape, lucid::float64, true)});
  EXPECT_GRADGRADCHECK(fn, {lucid::randn(s.shape, lucid::float64, true)});
}

INSTANTIATE_TEST_SUITE_P(Shapes, GroupNormGradients, ::testing::ValuesIn(kGradShapes),
                         [](const ::testing::TestParamInfo<GradShape>& param_info) {
                           return std::string(param_info.param.name);
                         });

// The fused backward (plain backward) and the composite one used under create_graph agree.
TEST(GroupNormGradients, FusedAndCompositeBackwardAgree) {
  lucid::manual_seed(5);
  const Tensor x0 = lucid::randn({3, 6, 7}, lucid::float64), dy = lucid::randn({3, 6, 7}, lucid::float64);
  const Tensor w0 = random_weight(6).detach(), b0 = random_bias(6).detach();
  std::vector<std::vector<double>> grads[2];
  for (int create_graph = 0; create_graph < 2; ++create_graph) {
    const Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_(), b = b0.clone().requires_grad_();
    F::group_norm(x, 3, w, b, 1e-5).backward(dy, false, create_graph == 1);
    for (const Tensor& t : {x, w, b}) {
      grads[create_graph].push_back(t.grad().to_vector<double>());
      t.set_grad({});  // a create_graph gradient's graph holds its leaf: a reference cycle until reset
    }
  }
  for (std::size_t k = 0; k < 3; ++k) {
    ASSERT_EQ(grads[0][k].size(), grads[1][k].size());
    for (std::size_t i = 0; i < grads[0][k].size(); ++i) {
      EXPECT_NEAR(grads[0][k][i], grads[1][k][i], 1e-12) << "input " << k << " element " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Which gradients are computed, no_grad

TEST(GroupNormGradients, OnlyParameterGradientsWhenTheInputIsConstant) {
  lucid::manual_seed(6);
  const Tensor x = lucid::randn({2, 4, 5}), dy = lucid::randn({2, 4, 5});
  GroupNorm gn(2, 4);
  gn(x).backward(dy);
  EXPECT_FALSE(x.grad().defined());
  ASSERT_TRUE(gn.weight.grad().defined() && gn.bias.grad().defined());
  const std::vector<double> dweight = gn.weight.grad().to_vector<double>(), dbias = gn.bias.grad().to_vector<double>();

  // The same parameter gradients as when x requires grad too.
  GroupNorm both(2, 4);
  const Tensor xr = x.clone().requires_grad_();
  both(xr).backward(dy);
  EXPECT_TRUE(xr.grad().defined());
  EXPECT_EQ(both.weight.grad().to_vector<double>(), dweight);
  EXPECT_EQ(both.bias.grad().to_vector<double>(), dbias);
}

TEST(GroupNormGradients, OnlyTheGradientsThatAreNeeded) {
  const Tensor x = lucid::randn({2, 4, 5}), w = lucid::ones({4}).requires_grad_(), b = lucid::zeros({4});
  F::group_norm(x, 2, w, b).sum().backward();
  EXPECT_TRUE(w.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  EXPECT_FALSE(x.grad().defined());
}

TEST(GroupNormGradients, WithoutAffineOnlyTheInputGradient) {
  GroupNorm gn(2, 4, 1e-5, false);
  const Tensor x = lucid::randn({2, 4, 5}, lucid::float32, true);
  (gn(x) * lucid::randn({2, 4, 5})).sum().backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().shape(), x.shape());
  EXPECT_TRUE(gn.parameters().empty());
}

TEST(GroupNormGradients, NoGradRecordsNothing) {
  GroupNorm gn(2, 4);
  const Tensor x = lucid::randn({2, 4, 5}, lucid::float32, true);
  {
    lucid::autograd::no_grad guard;
    const Tensor y = gn(x);
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
  }
  const Tensor y = gn(x);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_NE(y.grad_fn(), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Robustness

// An empty batch gives an empty output and zero parameter gradients, as in PyTorch.
TEST(GroupNormRobustness, EmptyBatch) {
  GroupNorm gn(2, 4);
  const Tensor x = lucid::randn({0, 4, 3}, lucid::float32, true);
  const Tensor y = gn(x);
  EXPECT_EQ(y.shape(), Shape({0, 4, 3}));
  y.sum().backward();
  EXPECT_EQ(x.grad().shape(), Shape({0, 4, 3}));
  EXPECT_EQ(gn.weight.grad().to_vector<double>(), std::vector<double>(4, 0.0));
  EXPECT_EQ(gn.bias.grad().to_vector<double>(), std::vector<double>(4, 0.0));
}

// Groups are independent: a NaN in group 0 of sample 0 reaches neither the outputs nor the input
// gradients of any other (sample, group).
TEST(GroupNormRobustness, NanStaysInItsGroup) {
  lucid::manual_seed(7);
  Tensor x = lucid::randn({2, 4, 5});
  x.data<float>()[1 * 5 + 3] = std::numeric_limits<float>::quiet_NaN();  // (0, channel 1, 3): group 0
  x.requires_grad_();
  GroupNorm gn(2, 4);
  const Tensor y = gn(x);
  y.backward(lucid::randn({2, 4, 5}));
  const std::vector<float> out = y.to_vector<float>(), dx = x.grad().to_vector<float>();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool poisoned = i < 10;  // sample 0, channels 0–1
    EXPECT_EQ(std::isfinite(out[i]), !poisoned) << "y element " << i << " = " << out[i];
    EXPECT_EQ(std::isfinite(dx[i]), !poisoned) << "dx element " << i << " = " << dx[i];
  }
}

// Forward and backward are bit-identical with 1 and 2 threads (15 (n, group) items: uneven chunks;
// (16, 20, 63, 67) float32 and (8, 20, 63, 67) float64 are 5.4 MB: streamed past the cache).
template <typename T>
void expect_thread_count_invariant(lucid::DType dtype, const Shape& shape = {3, 20, 17, 19}) {
  lucid::manual_seed(8);
  const Tensor x0 = lucid::randn(shape, dtype), dy = lucid::randn(shape, dtype);
  const Tensor weight = lucid::randn({20}, dtype) + 1.0, bias = lucid::randn({20}, dtype);
  std::vector<std::vector<unsigned char>> results[2];
  for (int threads : {1, 2}) {
    const lucid::test::ScopedThreadCount thread_count(threads);
    GroupNorm gn(5, 20, 1e-5, true, {}, dtype);
    {
      lucid::autograd::no_grad guard;
      gn.weight.copy_(weight);
      gn.bias.copy_(bias);
    }
    const Tensor x = x0.clone().requires_grad_();
    const Tensor y = gn(x);
    y.backward(dy);
    results[threads - 1] = {bits<T>(y), bits<T>(x.grad()), bits<T>(gn.weight.grad()), bits<T>(gn.bias.grad())};
  }
  const char* names[] = {"y", "dx", "dweight", "dbias"};
  for (std::size_t k = 0; k < 4; ++k) EXPECT_TRUE(results[0][k] == results[1][k]) << names[k];
}

TEST(GroupNormRobustness, ThreadCountInvariantFloat32) {
  expect_thread_count_invariant<float>(lucid::float32);
  expect_thread_count_invariant<float>(lucid::float32, {16, 20, 63, 67});
}
TEST(GroupNormRobustness, ThreadCountInvariantFloat64) {
  expect_thread_count_invariant<double>(lucid::float64);
  expect_thread_count_invariant<double>(lucid::float64, {8, 20, 63, 67});
}

// float32 gradients against the same computation in float64: the float32 inputs cast to float64 are
// the very same numbers, so the float64 run gives the exact gradients (to ~1e-12) of what the float32
// run computes, and the comparison measures float32 rounding alone. Tolerances as the PyTorch parity
// test's for float32 gradients (golden::kFloat32, group_norm_parity_test.cc explains them).
struct Float32GradCase {
  const char* name;
  Shape shape;
  std::int64_t groups;
  double offset;  // added to unit-normal inputs
  bool affine;
};

class GroupNormFloat32Gradients : public ::testing::TestWithParam<Float32GradCase> {};

TEST_P(GroupNormFloat32Gradients, MatchFloat64) {
  const Float32GradCase& c = GetParam();
  lucid::manual_seed(21);
  const std::int64_t channels = c.shape[1];
  const Tensor x32 = (lucid::randn(c.shape) + c.offset).detach();
  const Tensor dy32 = lucid::randn(c.shape);
  const Tensor w32 = c.affine ? lucid::randn({channels}) * 0.5 + 1.0 : Tensor();
  const Tensor b32 = c.affine ? lucid::randn({channels}) * 0.5 : Tensor();
  ASSERT_EQ(x32.dtype(), lucid::float32);
  std::vector<Tensor> grads[2];  // float32, float64
  for (int k = 0; k < 2; ++k) {
    const lucid::DType dtype = k == 0 ? lucid::float32 : lucid::float64;
    const auto leaf = [&](const Tensor& t) { return t.defined() ? t.to(dtype).detach().requires_grad_() : Tensor(); };
    const Tensor x = leaf(x32), w = leaf(w32), b = leaf(b32);
    F::group_norm(x, c.groups, w, b, 1e-5).backward(dy32.to(dtype));
    grads[k] = {x.grad(), w.defined() ? w.grad() : Tensor(), b.defined() ? b.grad() : Tensor()};
  }
  const char* names[] = {"dx", "dweight", "dbias"};
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(grads[0][i].defined(), i == 0 || c.affine) << names[i];
    if (!grads[0][i].defined()) continue;
    EXPECT_EQ(grads[0][i].dtype(), lucid::float32) << names[i];
    EXPECT_TRUE(lucid::test::golden::close_scaled(grads[0][i], grads[1][i], lucid::test::golden::kFloat32.grad_rtol))
        << names[i];
  }
}

const Float32GradCase kFloat32GradCases[] = {
    {"ImageAffine", {2, 6, 5, 7}, 3, 0.0, true},
    {"ExampleShape", {4, 32, 14, 14}, 8, 0.0, true},
    {"LargeOffsetAffine", {2, 8, 16, 16}, 4, 1e4, true},
    {"LargeOffsetPlain", {3, 12, 10}, 4, 1e4, false},
    {"OneGroupPlain", {2, 16, 9, 9}, 1, 0.0, false},
    {"NoSpatialDims", {5, 6}, 2, 3.0, true},
    // 4.3 MB in float32: y and dx streamed past the cache, channels of odd length at every alignment.
    {"StreamedOddSpatial", {8, 32, 63, 67}, 8, 0.0, true},
};

INSTANTIATE_TEST_SUITE_P(Shapes, GroupNormFloat32Gradients, ::testing::ValuesIn(kFloat32GradCases),
                         [](const ::testing::TestParamInfo<Float32GradCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

// float32 values ~1e4 + unit noise: statistics shifted by a value near the group's mean keep the
// normalised values accurate to float32 rounding (a naive Σx² − (Σx)²/M would lose them entirely).
TEST(GroupNormRobustness, Float32LargeOffset) {
  lucid::manual_seed(10);
  const Tensor x = lucid::randn({2, 8, 16, 16}) + 1e4;
  ASSERT_EQ(x.dtype(), lucid::float32);
  GroupNorm gn(4, 8);
  const std::vector<double> y = gn(x).to_vector<double>(), xv = x.to_vector<double>();
  const GroupMoments in = group_moments(x, 4);
  const std::size_t m = xv.size() / in.mean.size();
  double worst = 0;
  for (std::size_t i = 0; i < xv.size(); ++i) {
    const double want = (xv[i] - in.mean[i / m]) / std::sqrt(in.var[i / m] + 1e-5);
    worst = std::max(worst, std::abs(y[i] - want));
  }
  EXPECT_LT(worst, 1e-4);
}

}  // namespace
