// nn::GELU and gelu(x, approximate) against PyTorch 1.13 (tests/golden/gelu.json from
// make_gelu_golden.py): the exact erf form (the default) and the tanh form, values and gradients, in
// float64 and float32 (golden::kFloat64 / kFloat32 tolerances: erf is within 2 ulp of the exact
// value, see tests/framework/erf_accuracy_test.cc, so only the float32 rounding of the formula remains).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/golden_util.h"

namespace {

using lucid::Tensor;
namespace golden = lucid::test::golden;

const std::vector<golden::Case>& gelu_cases() {
  static const std::vector<golden::Case> all = golden::load("gelu.json");
  return all;
}

class GeluParity : public ::testing::TestWithParam<golden::ParityParam> {};

TEST_P(GeluParity, ModuleAndFunctionMatchPyTorch) {
  const golden::Case& c = gelu_cases()[std::get<0>(GetParam())];
  const golden::Precision p = std::get<1>(GetParam());
  const std::string approximate = c.attrs.at("approximate").get<std::string>();
  lucid::nn::GELU module({.approximate = approximate});
  for (bool through_module : {true, false}) {
    SCOPED_TRACE(through_module ? "nn::GELU" : "gelu(x, approximate)");
    const Tensor x = c.tensor("x", p.dtype).detach().requires_grad_(true);
    const Tensor y = through_module ? module(x) : lucid::gelu(x, approximate);
    EXPECT_TRUE(golden::close_scaled(y, c.tensor("y"), p.output_rtol));
    y.backward(c.tensor("gy", p.dtype));
    EXPECT_TRUE(golden::close_scaled(x.grad(), c.tensor("dx"), p.grad_rtol));
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GeluParity, golden::parity_params(gelu_cases()), golden::ParityName{gelu_cases()});

TEST(GeluParityFile, HoldsBothForms) {
  ASSERT_EQ(gelu_cases().size(), 2u);
  EXPECT_EQ(gelu_cases()[0].attrs.at("approximate"), "none");
  EXPECT_EQ(gelu_cases()[1].attrs.at("approximate"), "tanh");
}

// The default is PyTorch's: nn::GELU(), gelu(x) and x.gelu() are the exact form.
TEST(Gelu, DefaultIsTheExactForm) {
  const golden::Case& exact = gelu_cases()[0];
  const Tensor x = exact.tensor("x");
  EXPECT_EQ(lucid::nn::GELU().options.approximate, "none");
  EXPECT_TRUE(golden::close_scaled(lucid::nn::GELU()(x), exact.tensor("y"), golden::kFloat64.output_rtol));
  EXPECT_TRUE(golden::close_scaled(lucid::gelu(x), exact.tensor("y"), golden::kFloat64.output_rtol));
  EXPECT_TRUE(golden::close_scaled(x.gelu(), exact.tensor("y"), golden::kFloat64.output_rtol));
}

TEST(Gelu, GradientsOfBothFormsPassGradcheck) {
  const Tensor x = (lucid::randn({3, 5}, lucid::float64) * 3.0).requires_grad_(true);
  for (const char* approximate : {"none", "tanh"}) {
    SCOPED_TRACE(approximate);
    EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return lucid::gelu(in[0], approximate); }, {x});
  }
}

TEST(Gelu, UnknownApproximateIsRejected) {
  try {
    lucid::nn::GELU bad({.approximate = "sigmoid"});
    FAIL() << "nn::GELU accepted approximate='sigmoid'";
  } catch (const lucid::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("approximate ('sigmoid') must be 'none' or 'tanh'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(lucid::gelu(lucid::ones({2}), "Tanh"), lucid::ValueError);
}

}  // namespace
