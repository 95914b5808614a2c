// nn::LayerNorm and functional::layer_norm beyond the golden values (layer_norm_parity_test.cc):
// gradcheck and gradgradcheck in float64 with and without affine and with every activation epilogue,
// float32 against float64, the fused Sequential pair, printing and state_dict names, and results
// bit-identical with 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/modules/activation_util.h"
#include "tests/scoped_thread_count.h"

namespace layer_norm_test {

using lucid::Tensor;
using lucid::nn::Activation;
using lucid::test::activation_param_name;
using lucid::test::kEveryActivation;
using lucid::nn::LayerNorm;
namespace F = lucid::nn::functional;

// max |a − b| / (1 + |b|) over the elements.
double worst_relative_gap(const Tensor& a, const Tensor& b) {
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  EXPECT_EQ(va.size(), vb.size());
  double worst = 0;
  for (std::size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::abs(va[i] - vb[i]) / (1 + std::abs(vb[i])));
  return worst;
}

class LayerNormEpilogue : public ::testing::TestWithParam<Activation> {};

TEST_P(LayerNormEpilogue, FirstAndSecondOrderGradients) {
  lucid::manual_seed(41);
  const Activation act = GetParam();
  const std::vector<Tensor> inputs{lucid::randn({3, 2, 5}, lucid::float64, true),
                                   lucid::randn({2, 5}, lucid::float64, true), lucid::randn({2, 5}, lucid::float64, true)};
  const auto fn = [act](const std::vector<Tensor>& in) { return F::layer_norm(in[0], {2, 5}, in[1], in[2], 1e-5, act); };
  EXPECT_GRADCHECK(fn, inputs);
  EXPECT_GRADGRADCHECK(fn, inputs);
}

TEST_P(LayerNormEpilogue, FirstAndSecondOrderGradientsWithoutAffine) {
  lucid::manual_seed(42);
  const Activation act = GetParam();
  const std::vector<Tensor> inputs{lucid::randn({4, 7}, lucid::float64, true)};
  const auto fn = [act](const std::vector<Tensor>& in) { return F::layer_norm(in[0], {7}, {}, {}, 1e-5, act); };
  EXPECT_GRADCHECK(fn, inputs);
  EXPECT_GRADGRADCHECK(fn, inputs);
}

// float32 fused forward and backward against the unfused pair run in float64 on the same values,
// rows of a SIMD tail (37) and more rows than two backward blocks.
TEST_P(LayerNormEpilogue, Float32MatchesTheUnfusedPairInFloat64) {
  lucid::manual_seed(43);
  const Activation act = GetParam();
  const Tensor x = lucid::randn({3, 25, 37}) * 2.0 + 0.5, dy = lucid::randn({3, 25, 37});
  const Tensor w = lucid::randn({37}), b = lucid::randn({37});
  std::vector<Tensor> fused{x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()};
  std::vector<Tensor> ref{x.to(lucid::float64).requires_grad_(), w.to(lucid::float64).requires_grad_(),
                          b.to(lucid::float64).requires_grad_()};
  const Tensor y = F::layer_norm(fused[0], {37}, fused[1], fused[2], 1e-5, act);
  const Tensor y_ref = lucid::test::apply_activation(act, F::layer_norm(ref[0], {37}, ref[1], ref[2], 1e-5));
  EXPECT_LT(worst_relative_gap(y, y_ref), 1e-5);
  y.backward(dy);
  y_ref.backward(dy.to(lucid::float64));
  for (std::size_t k = 0; k < 3; ++k) EXPECT_LT(worst_relative_gap(fused[k].grad(), ref[k].grad()), 1e-4) << "input " << k;
}

INSTANTIATE_TEST_SUITE_P(Activations, LayerNormEpilogue, ::testing::ValuesIn(kEveryActivation), activation_param_name);

// Above kernels::kStreamedOutputBytes (4 MiB) y and dx are streamed past the cache: (1031, 1021)
// float32 is 4.2 MB, with rows that start at every alignment. Against LayerNorm composed of float64
// mean, variance and arithmetic ops, whose kernels stream nothing.
TEST(LayerNormStreamed, OutputsAboveTheThresholdMatchAFloat64Composition) {
  lucid::manual_seed(47);
  const std::int64_t rows = 1031, cols = 1021;
  const Tensor x = lucid::randn({rows, cols}) * 2.0 + 0.5, dy = lucid::randn({rows, cols});
  const Tensor w = lucid::randn({cols}), b = lucid::randn({cols});
  std::vector<Tensor> fused{x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()};
  std::vector<Tensor> ref{x.to(lucid::float64).requires_grad_(), w.to(lucid::float64).requires_grad_(),
                          b.to(lucid::float64).requires_grad_()};
  const Tensor y = F::layer_norm(fused[0], {cols}, fused[1], fused[2], 1e-5);
  const Tensor mean = ref[0].mean({1}, /*keepdim=*/true);
  const Tensor var = ((ref[0] - mean) * (ref[0] - mean)).mean({1}, /*keepdim=*/true);
  const Tensor y_ref = (ref[0] - mean) / (var + 1e-5).sqrt() * ref[1] + ref[2];
  EXPECT_LT(worst_relative_gap(y, y_ref), 1e-5);
  y.backward(dy);
  y_ref.backward(dy.to(lucid::float64));
  for (std::size_t k = 0; k < 3; ++k) EXPECT_LT(worst_relative_gap(fused[k].grad(), ref[k].grad()), 1e-4) << "input " << k;
}

class LayerNormSequential : public ::testing::TestWithParam<Activation> {};

TEST_P(LayerNormSequential, RunsThePairAsOneNodeWithTheSameResults) {
  lucid::manual_seed(44);
  const Activation act = GetParam();
  lucid::nn::Sequential net(LayerNorm({6}, {.dtype = lucid::float64}), lucid::test::activation_module(act));
  for (Tensor p : net.parameters()) lucid::nn::init::uniform_(p, -1, 1);
  const Tensor x = lucid::randn({3, 4, 6}, lucid::float64, true), x_ref = x.detach().requires_grad_();
  const Tensor y = net(x);
  EXPECT_EQ(std::string(y.grad_fn()->name()), "LayerNorm" + std::string(lucid::nn::activation_name(act)) + "Backward");
  y.sum().backward();
  const Tensor w_grad = net.parameters()[0].grad();
  net.zero_grad();
  net.fuse_activations = false;
  const Tensor y_ref = net(x_ref);
  EXPECT_STRNE(y_ref.grad_fn()->name(), y.grad_fn()->name());
  y_ref.sum().backward();
  EXPECT_LT(worst_relative_gap(y, y_ref), 1e-12);
  EXPECT_LT(worst_relative_gap(x.grad(), x_ref.grad()), 1e-12);
  EXPECT_LT(worst_relative_gap(w_grad, net.parameters()[0].grad()), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Activations, LayerNormSequential, ::testing::ValuesIn(std::span(kEveryActivation).subspan(1)),
                         activation_param_name);

// functional::layer_norm with only a weight or only a bias (PyTorch allows either alone).
TEST(LayerNormFunctional, WeightOrBiasAlone) {
  lucid::manual_seed(45);
  const Tensor x = lucid::randn({5, 9}, lucid::float64), w = lucid::randn({9}, lucid::float64);
  const Tensor plain = F::layer_norm(x, {9});
  EXPECT_LT(worst_relative_gap(F::layer_norm(x, {9}, w), plain * w), 1e-14);
  EXPECT_LT(worst_relative_gap(F::layer_norm(x, {9}, {}, w), plain + w), 1e-14);
  const std::vector<Tensor> inputs{x.detach().requires_grad_(), w.detach().requires_grad_()};
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return F::layer_norm(in[0], {9}, in[1]); }, inputs);
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return F::layer_norm(in[0], {9}, {}, in[1]); }, inputs);
}

TEST(LayerNormModule, ReprParametersAndStateDictAsPyTorch) {
  LayerNorm ln({768});
  EXPECT_EQ(ln.repr(), "LayerNorm((768,), eps=1e-05, elementwise_affine=True)");
  EXPECT_EQ(LayerNorm({4, 5}, {.eps = 1e-6, .elementwise_affine = false}).repr(),
            "LayerNorm((4, 5), eps=1e-06, elementwise_affine=False)");
  EXPECT_EQ(LayerNorm({8}, {.activation = Activation::gelu}).repr(),
            "LayerNorm((8,), eps=1e-05, elementwise_affine=True, activation=GELU)");
  std::vector<std::string> keys;
  for (const auto& [key, value] : ln.state_dict()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(ln.weight.shape(), lucid::Shape({768}));
  EXPECT_EQ(ln.weight.to_vector<float>(), std::vector<float>(768, 1.0f));
  EXPECT_EQ(ln.bias.to_vector<float>(), std::vector<float>(768, 0.0f));
  EXPECT_TRUE(LayerNorm({3}, {.elementwise_affine = false}).state_dict().empty());
  EXPECT_EQ(LayerNorm({3}, {.dtype = lucid::float64}).weight.dtype(), lucid::float64);
}

template <typename T>
std::vector<unsigned char> raw_bytes(const Tensor& t) {
  std::vector<unsigned char> out(static_cast<std::size_t>(t.numel()) * sizeof(T));
  std::memcpy(out.data(), t.data<T>(), out.size());
  return out;
}

// Forward and backward are bit-identical with 1 and 2 threads: 101 rows (uneven split of rows and of
// the four backward row blocks), with and without an activation; 1031 rows of 1021 streamed ones.
template <typename T>
void expect_same_bits_on_1_and_2_threads(lucid::DType dtype, Activation act, std::int64_t rows = 101,
                                         std::int64_t cols = 67) {
  lucid::manual_seed(46);
  const Tensor x0 = lucid::randn({rows, cols}, dtype) * 3.0 + 2.0, dy = lucid::randn({rows, cols}, dtype);
  const Tensor weight = lucid::randn({cols}, dtype) + 1.0, bias = lucid::randn({cols}, dtype);
  std::vector<std::vector<unsigned char>> results[2];
  for (int threads : {1, 2}) {
    const lucid::test::ScopedThreadCount thread_count(threads);
    LayerNorm ln({cols}, {.activation = act, .dtype = dtype});
    {
      lucid::autograd::no_grad guard;
      ln.weight.copy_(weight);
      ln.bias.copy_(bias);
    }
    const Tensor x = x0.clone().requires_grad_();
    const Tensor y = ln(x);
    y.backward(dy);
    results[threads - 1] = {raw_bytes<T>(y), raw_bytes<T>(x.grad()), raw_bytes<T>(ln.weight.grad()),
                            raw_bytes<T>(ln.bias.grad())};
  }
  const char* names[] = {"y", "dx", "dweight", "dbias"};
  for (std::size_t k = 0; k < 4; ++k) EXPECT_TRUE(results[0][k] == results[1][k]) << names[k];
}

TEST(LayerNormThreads, BitIdenticalFloat32) {
  expect_same_bits_on_1_and_2_threads<float>(lucid::float32, Activation::none);
  expect_same_bits_on_1_and_2_threads<float>(lucid::float32, Activation::silu);
  expect_same_bits_on_1_and_2_threads<float>(lucid::float32, Activation::silu, 1031, 1021);
}
TEST(LayerNormThreads, BitIdenticalFloat64) {
  expect_same_bits_on_1_and_2_threads<double>(lucid::float64, Activation::none);
  expect_same_bits_on_1_and_2_threads<double>(lucid::float64, Activation::gelu);
}

}  // namespace layer_norm_test
