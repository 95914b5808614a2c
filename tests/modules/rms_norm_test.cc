// nn::RMSNorm and functional::rms_norm: golden values (tests/golden/rms_norm.json, the closed form in
// extended precision from make_layer_norm_golden.py, checked against PyTorch's float64 autograd of
// x * rsqrt(mean(x²) + eps) * weight) in float64 and float32 with every activation; gradcheck and
// gradgradcheck in float64; eps unset = the dtype's machine epsilon; printing and state_dict names;
// the fused Sequential pair; results bit-identical with 1 and 2 threads. Tolerances as LayerNorm's
// (layer_norm_parity_test.cc).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/modules/activation_util.h"
#include "tests/scoped_thread_count.h"

namespace rms_norm_test {

namespace golden = lucid::test::golden;
using lucid::Tensor;
using lucid::nn::Activation;
using lucid::test::activation_param_name;
using lucid::test::kEveryActivation;
using lucid::nn::RMSNorm;
namespace F = lucid::nn::functional;

const std::vector<golden::Case>& rms_cases() {
  static const std::vector<golden::Case> all = golden::load("rms_norm.json");
  return all;
}

class RMSNormParity : public ::testing::TestWithParam<golden::ParityParam> {};

TEST_P(RMSNormParity, ForwardAndBackwardMatchTheFloat64Formula) {
  const golden::Case& c = rms_cases()[std::get<0>(GetParam())];
  const golden::Precision& p = std::get<1>(GetParam());
  const bool affine = c.attrs.at("affine").get<bool>();
  ASSERT_EQ(affine, c.has("weight"));
  ASSERT_FALSE(c.has("bias"));
  const Tensor x = c.tensor("x", p.dtype).detach().requires_grad_(true);
  RMSNorm rms(c.attrs.at("normalized_shape").get<std::vector<std::int64_t>>(),
              {.eps = c.attrs.at("eps").get<double>(),
               .elementwise_affine = affine,
               .activation = lucid::test::activation_named(c.attrs.at("activation").get<std::string>()),
               .dtype = p.dtype});
  if (affine) {
    lucid::autograd::no_grad guard;
    rms.weight.copy_(c.tensor("weight", p.dtype));
  }
  const Tensor y = rms(x);
  ASSERT_EQ(y.dtype(), p.dtype);
  EXPECT_TRUE(golden::close_scaled(y, c.tensor("y"), p.output_rtol)) << "y";
  y.backward(c.tensor("dy", p.dtype));
  EXPECT_TRUE(golden::close_scaled(x.grad(), c.tensor("dx"), p.grad_rtol,
                                   p.grad_rtol * c.attrs.at("dx_term_scale").get<double>()))
      << "dx";
  if (affine) {
    EXPECT_TRUE(golden::close_scaled(rms.weight.grad(), c.tensor("dweight"), p.grad_rtol)) << "dweight";
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, RMSNormParity, golden::parity_params(rms_cases()), golden::ParityName{rms_cases()});

class RMSNormEpilogue : public ::testing::TestWithParam<Activation> {};

TEST_P(RMSNormEpilogue, FirstAndSecondOrderGradients) {
  lucid::manual_seed(51);
  const Activation act = GetParam();
  const std::vector<Tensor> inputs{lucid::randn({3, 2, 5}, lucid::float64, true), lucid::randn({2, 5}, lucid::float64, true)};
  const auto fn = [act](const std::vector<Tensor>& in) { return F::rms_norm(in[0], {2, 5}, in[1], 1e-5, act); };
  EXPECT_GRADCHECK(fn, inputs);
  EXPECT_GRADGRADCHECK(fn, inputs);
  const std::vector<Tensor> plain{lucid::randn({4, 7}, lucid::float64, true)};
  const auto plain_fn = [act](const std::vector<Tensor>& in) { return F::rms_norm(in[0], {7}, {}, 1e-5, act); };
  EXPECT_GRADCHECK(plain_fn, plain);
  EXPECT_GRADGRADCHECK(plain_fn, plain);
}

INSTANTIATE_TEST_SUITE_P(Activations, RMSNormEpilogue, ::testing::ValuesIn(kEveryActivation), activation_param_name);

TEST(RMSNormEps, UnsetIsTheMachineEpsilonOfTheDtype) {
  lucid::manual_seed(52);
  for (const auto& [dtype, epsilon] : {std::pair{lucid::float32, double{std::numeric_limits<float>::epsilon()}},
                                       std::pair{lucid::float64, std::numeric_limits<double>::epsilon()}}) {
    const Tensor x = lucid::randn({3, 16}, dtype) * 1e-4;  // mean(x²) ~ 1e-8: eps matters
    const Tensor unset = F::rms_norm(x, {16}), explicit_eps = F::rms_norm(x, {16}, {}, epsilon);
    EXPECT_EQ(unset.to_vector<double>(), explicit_eps.to_vector<double>());
    EXPECT_NE(unset.to_vector<double>(), F::rms_norm(x, {16}, {}, 1e-5).to_vector<double>());
  }
}

TEST(RMSNormModule, ReprAndStateDictAsPyTorch) {
  RMSNorm rms({768});
  EXPECT_EQ(rms.repr(), "RMSNorm((768,), eps=None, elementwise_affine=True)");
  EXPECT_EQ(RMSNorm({4, 5}, {.eps = 1e-6, .elementwise_affine = false}).repr(),
            "RMSNorm((4, 5), eps=1e-06, elementwise_affine=False)");
  std::vector<std::string> keys;
  for (const auto& [key, value] : rms.state_dict()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"weight"}));
  EXPECT_EQ(rms.weight.to_vector<float>(), std::vector<float>(768, 1.0f));
}

TEST(RMSNormModule, SequentialFusesTheActivation) {
  lucid::manual_seed(53);
  lucid::nn::Sequential net(RMSNorm({6}, {.eps = 1e-6, .dtype = lucid::float64}), lucid::nn::SiLU());
  const Tensor x = lucid::randn({3, 6}, lucid::float64, true), x_ref = x.detach().requires_grad_();
  const Tensor y = net(x);
  EXPECT_STREQ(y.grad_fn()->name(), "RMSNormSiLUBackward");
  net.fuse_activations = false;
  const Tensor y_ref = net(x_ref);
  EXPECT_STRNE(y_ref.grad_fn()->name(), y.grad_fn()->name());
  const std::vector<double> a = y.to_vector<double>(), b = y_ref.to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12);
}

template <typename T>
std::vector<unsigned char> rms_bytes(const Tensor& t) {
  std::vector<unsigned char> out(static_cast<std::size_t>(t.numel()) * sizeof(T));
  std::memcpy(out.data(), t.data<T>(), out.size());
  return out;
}

TEST(RMSNormThreads, BitIdenticalOn1And2Threads) {
  lucid::manual_seed(54);
  const Tensor x0 = lucid::randn({101, 67}), dy = lucid::randn({101, 67}), weight = lucid::randn({67}) + 1.0;
  std::vector<std::vector<unsigned char>> results[2];
  for (int threads : {1, 2}) {
    const lucid::test::ScopedThreadCount thread_count(threads);
    RMSNorm rms({67});
    {
      lucid::autograd::no_grad guard;
      rms.weight.copy_(weight);
    }
    const Tensor x = x0.clone().requires_grad_();
    const Tensor y = rms(x);
    y.backward(dy);
    results[threads - 1] = {rms_bytes<float>(y), rms_bytes<float>(x.grad()), rms_bytes<float>(rms.weight.grad())};
  }
  for (std::size_t k = 0; k < 3; ++k) EXPECT_TRUE(results[0][k] == results[1][k]) << k;
}

}  // namespace rms_norm_test
