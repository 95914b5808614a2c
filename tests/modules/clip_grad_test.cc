// nn::utils: clip_grad_norm_ against PyTorch (tests/golden/clip_grad.json, make_clip_grad_golden.py:
// the same float64 gradients give the same total norm and clipped gradients, for p = 2, 1, 3, 0.5 and
// inf, clipping or not, with a parameter that has no gradient), error_if_nonfinite, clip_grad_value_,
// and parameters_to_vector / vector_to_parameters.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using ::testing::HasSubstr;
using nn::Parameter;

const std::vector<golden::Case>& clip_cases() {
  static const std::vector<golden::Case> all = golden::load("clip_grad.json");
  return all;
}

class ClipGradNormParity : public ::testing::TestWithParam<std::size_t> {};

// Tolerance 1e-13 relative: PyTorch sums the powers in float64 in another order.
TEST_P(ClipGradNormParity, TotalNormAndClippedGradientsMatchPyTorch) {
  const golden::Case& c = clip_cases()[GetParam()];
  std::vector<Parameter> params;
  for (const char* name : {"a", "b", "c"}) {
    const std::string key = "grad_" + std::string(name);
    const Shape shape = std::string(name) == "a" ? Shape{3, 4} : std::string(name) == "b" ? Shape{5} : Shape{2, 2, 2};
    params.emplace_back(zeros(shape, float64));
    if (c.has(key)) params.back().set_grad(c.tensor(key).clone());
  }
  const double total = nn::utils::clip_grad_norm_(params, c.attrs.at("max_norm").get<double>(),
                                                  golden::number(c.attrs.at("norm_type")));
  EXPECT_NEAR(total, c.attrs.at("total_norm").get<double>(), 1e-13 * total);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string key = std::string("clipped_") + "abc"[i];
    if (!c.has(key)) {
      EXPECT_FALSE(params[i].grad().defined());
      continue;
    }
    EXPECT_TRUE(golden::all_close(params[i].grad(), c.tensor(key), 1e-13, 0.0)) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, ClipGradNormParity, ::testing::ValuesIn(golden::case_indices(clip_cases())),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           return clip_cases()[param_info.param].name;
                         });

TEST(ClipGradNorm, NoGradientsGiveZero) {
  EXPECT_EQ(nn::utils::clip_grad_norm_({Parameter(ones({3}))}, 1.0), 0.0);
}

TEST(ClipGradNorm, Float32GradientsScaleInTheirDtype) {
  Parameter p(zeros({2}));
  p.set_grad(tensor(std::vector<float>{3, 4}, {2}));
  EXPECT_DOUBLE_EQ(nn::utils::clip_grad_norm_({p}, 1.0), 5.0);
  EXPECT_EQ(p.grad().dtype(), float32);
  expect_values_near(p.grad(), {2}, {0.6, 0.8}, 1e-6);
}

TEST(ClipGradNorm, NonFiniteTotal) {
  Parameter p(zeros({2}, float64)), q(zeros({1}, float64));
  p.set_grad(tensor(std::vector<double>{std::numeric_limits<double>::infinity(), 1.0}, {2}));
  q.set_grad(tensor(std::vector<double>{2.0}, {1}));
  EXPECT_THAT(error_message<RuntimeError>([&] { nn::utils::clip_grad_norm_({p, q}, 1.0, 2.0, true); }),
              HasSubstr("The total norm of order 2 for gradients from `parameters` is non-finite"));
  EXPECT_EQ(q.grad().item(), 2.0);  // unchanged
  // Without the check, PyTorch's arithmetic: factor 1/(inf + 1e-6) = 0, so finite gradients become 0.
  EXPECT_TRUE(std::isinf(nn::utils::clip_grad_norm_({p, q}, 1.0)));
  EXPECT_EQ(q.grad().item(), 0.0);
}

TEST(ClipGradValue, ClampsEveryGradientElement) {
  Parameter p(zeros({4}, float64)), q(zeros({1}, float64));
  p.set_grad(tensor(std::vector<double>{-3, -0.5, 0.25, 7}, {4}));
  nn::utils::clip_grad_value_({p, q}, 0.5);
  EXPECT_EQ(p.grad().to_vector<double>(), (std::vector<double>{-0.5, -0.5, 0.25, 0.5}));
  EXPECT_FALSE(q.grad().defined());
}

TEST(ParametersToVector, FlattensInOrderAndWritesBack) {
  nn::Linear fc(3, 2, {.dtype = float64});
  const std::vector<Parameter> params = fc.parameters();
  const Tensor flat = nn::utils::parameters_to_vector(params);
  ASSERT_EQ(flat.shape(), Shape({8}));
  std::vector<double> want = fc.weight.to_vector<double>();
  for (double b : fc.bias.to_vector<double>()) want.push_back(b);
  EXPECT_EQ(flat.to_vector<double>(), want);

  nn::utils::vector_to_parameters(arange(8.0, float64), params);
  EXPECT_EQ(fc.weight.to_vector<double>(), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(fc.bias.to_vector<double>(), (std::vector<double>{6, 7}));
  EXPECT_TRUE(fc.weight.is_leaf() && fc.weight.requires_grad());
}

TEST(ParametersToVector, MixedDtypesGiveFloat64) {
  const std::vector<Parameter> params{Parameter(ones({2})), Parameter(zeros({1}, float64))};
  const Tensor flat = nn::utils::parameters_to_vector(params);
  EXPECT_EQ(flat.dtype(), float64);
  EXPECT_EQ(flat.to_vector<double>(), (std::vector<double>{1, 1, 0}));
  nn::utils::vector_to_parameters(tensor(std::vector<double>{0.5, 1.5, 2.5}, {3}), params);
  EXPECT_EQ(params[0].dtype(), float32);
  EXPECT_EQ(params[0].to_vector<double>(), (std::vector<double>{0.5, 1.5}));
}

}  // namespace
}  // namespace lucid::test
