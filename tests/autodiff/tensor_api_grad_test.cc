// Gradients of the tensor API's third-round ops (issue 26, items 2 and 3): softmax, log_softmax,
// logsumexp, amax/amin, max/min (all elements and along a dim), var/std, norm, cumsum, prod, the one-dim
// sum/mean forms; clamp_min/clamp_max, masked_fill, where with a scalar, log1p, expm1, softplus,
// leaky_relu, elu, hardtanh, and the zero gradients of sign/floor/ceil/round. Every case runs gradcheck
// and gradgradcheck in float64; values against PyTorch are in tests/modules/differential_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "tests/autodiff/grad_case.h"

namespace lucid::test {
namespace {

using In = std::vector<Tensor>;
using Dims = std::vector<std::int64_t>;

// Fixed float64 leaves (values with zeros or ties that random inputs would not hit).
std::function<std::vector<Tensor>()> fixed_input(std::vector<double> values, Shape shape) {
  return [values, shape] { return std::vector<Tensor>{tensor(values, shape, /*requires_grad=*/true)}; };
}

// A 0/1 mask of shape (3, 4) in float64 (a constant of the functions below).
Tensor mask_3x4() { return tensor(std::vector<double>{1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0}, {3, 4}); }

std::string dim_name(std::int64_t d) { return d < 0 ? "m" + std::to_string(-d) : std::to_string(d); }

std::vector<GradCase> tensor_api_cases() {
  std::vector<GradCase> c;
  const auto add = [&c](std::string name, autograd::DifferentiableFn fn, std::function<std::vector<Tensor>()> inputs) {
    c.push_back({std::move(name), std::move(fn), std::move(inputs), /*second_order=*/true});
  };
  // Softmax family over every dim of a 3-d tensor.
  for (const std::int64_t d : {0, 1, 2, -1}) {
    add("softmax_dim_" + dim_name(d), [d](const In& in) { return softmax(in[0], d); }, normal_inputs({{2, 3, 4}}));
    add("log_softmax_dim_" + dim_name(d), [d](const In& in) { return log_softmax(in[0], d); },
        normal_inputs({{2, 3, 4}}));
  }
  add("softmax_method_times_x", [](const In& in) { return in[0].softmax(-1) * in[0]; }, normal_inputs({{3, 4}}));
  add("logsumexp_dim_1", [](const In& in) { return logsumexp(in[0], {1}); }, normal_inputs({{2, 3, 4}}));
  add("logsumexp_dims_0_2_keepdim", [](const In& in) { return in[0].logsumexp({0, 2}, true); },
      normal_inputs({{2, 3, 4}}));
  add("logsumexp_all", [](const In& in) { return logsumexp(in[0], {}); }, normal_inputs({{3, 4}}));
  // Extremes: random inputs (no ties), and ties, where the gradient is split evenly.
  add("amax_dim_1", [](const In& in) { return amax(in[0], {1}); }, normal_inputs({{2, 3, 4}}));
  add("amin_dims_0_2_keepdim", [](const In& in) { return in[0].amin({0, 2}, true); }, normal_inputs({{2, 3, 4}}));
  add("amax_all_times_x", [](const In& in) { return in[0].amax() * in[0]; }, normal_inputs({{3, 4}}));
  add("max_all", [](const In& in) { return in[0].max(); }, normal_inputs({{3, 4}}));
  add("min_all_squared", [](const In& in) { return in[0].min() * in[0].min(); }, normal_inputs({{3, 4}}));
  for (const bool keepdim : {false, true}) {
    const std::string k = keepdim ? "_keepdim" : "";
    add("max_dim_1" + k, [keepdim](const In& in) { return std::get<0>(in[0].max(1, keepdim)); },
        normal_inputs({{2, 3, 4}}));
    add("min_dim_m1" + k, [keepdim](const In& in) { return std::get<0>(min(in[0], -1, keepdim)); },
        normal_inputs({{2, 3, 4}}));
  }
  add("max_dim_of_square", [](const In& in) { return std::get<0>(max(in[0] * in[0], 0)); }, normal_inputs({{3, 4}}));
  // Statistics.
  for (const double correction : {0.0, 1.0, 2.0}) {
    const std::string suffix = "_correction_" + std::to_string(static_cast<int>(correction));
    add("var_dim_1" + suffix, [correction](const In& in) { return var(in[0], {1}, correction); },
        normal_inputs({{3, 5}}));
    add("std_all" + suffix, [correction](const In& in) { return in[0].std({}, correction); }, normal_inputs({{3, 5}}));
  }
  add("var_dims_0_2_keepdim", [](const In& in) { return in[0].var({0, 2}, 1.0, true); }, normal_inputs({{2, 3, 4}}));
  add("std_dim_m1_keepdim", [](const In& in) { return lucid::std(in[0], {-1}, 1.0, true); }, normal_inputs({{2, 3, 4}}));
  add("norm", [](const In& in) { return in[0].norm(); }, normal_inputs({{3, 4}}));
  add("norm_times_x", [](const In& in) { return norm(in[0]) * in[0]; }, normal_inputs({{5}}));
  for (const auto& [label, p] : std::vector<std::pair<std::string, double>>{
           {"1", 1.0}, {"2", 2.0}, {"3", 3.0}, {"1_5", 1.5}, {"0_5", 0.5}, {"minus_1", -1.0}}) {
    add("norm_p_" + label + "_dim_1", [p](const In& in) { return norm(in[0], p, {1}); }, normal_inputs({{3, 4}}));
  }
  add("norm_inf_keepdim", [](const In& in) { return in[0].norm(INFINITY, {0}, true) * in[0]; }, normal_inputs({{3, 4}}));
  add("norm_minus_inf_all", [](const In& in) { return in[0].norm(-INFINITY); }, normal_inputs({{3, 4}}));
  // Zeros inside nonzero rows (a zero row has no second derivative): x·|x| is not twice differentiable at
  // 0, so the central difference's second derivative there is off by ~eps; atol 1e-5 allows that.
  c.push_back({"norm_p_3_with_zeros", [](const In& in) { return norm(in[0], 3.0, {1}); },
               fixed_input({0.0, 1.0, 0.0, 1.5, 0.0, -2.0}, {2, 3}), true, {.eps = 1e-6, .atol = 1e-5, .rtol = 1e-5}});
  // Scans and products, with zeros (one or two per slice) where the gradient may not divide.
  for (const std::int64_t d : {0, 1, -1}) {
    add("cumsum_dim_" + dim_name(d), [d](const In& in) { return cumsum(in[0], d); }, normal_inputs({{2, 3, 4}}));
  }
  add("cumsum_of_square", [](const In& in) { return (in[0] * in[0]).cumsum(1); }, normal_inputs({{3, 4}}));
  add("prod_dim_1", [](const In& in) { return prod(in[0], {1}); }, normal_inputs({{2, 3, 4}}));
  add("prod_dims_0_2_keepdim", [](const In& in) { return in[0].prod({0, 2}, true); }, normal_inputs({{2, 3, 2}}));
  add("prod_all", [](const In& in) { return prod(in[0]); }, normal_inputs({{2, 3}}));
  add("prod_with_zeros_dim_1", [](const In& in) { return prod(in[0], {1}); },
      fixed_input({2.0, 0.0, 3.0, 1.5, 0.0, 0.0, 2.0, 1.0, 1.0, 2.0, -3.0, 0.5}, {3, 4}));
  add("prod_with_zeros_all", [](const In& in) { return prod(in[0]); }, fixed_input({2.0, 0.0, 3.0, -1.5}, {4}));
  add("prod_with_two_zeros_all", [](const In& in) { return prod(in[0]); }, fixed_input({2.0, 0.0, 3.0, 0.0}, {4}));
  // One-dim overloads.
  add("sum_one_dim", [](const In& in) { return in[0].sum(1); }, normal_inputs({{2, 3, 4}}));
  add("mean_one_dim_keepdim", [](const In& in) { return in[0].mean(-1, true) * in[0]; }, normal_inputs({{2, 3, 4}}));
  // Elementwise.
  add("clamp_min", [](const In& in) { return in[0].clamp_min(0.2) * in[0]; }, normal_inputs({{3, 4}}));
  add("clamp_max", [](const In& in) { return clamp_max(in[0], -0.1) * in[0]; }, normal_inputs({{3, 4}}));
  add("masked_fill", [](const In& in) { return in[0].masked_fill(mask_3x4(), -2.0) * in[0]; }, normal_inputs({{3, 4}}));
  add("masked_fill_broadcast_mask", [](const In& in) { return masked_fill(in[0] * in[0], mask_3x4().sum({0}, true) > 2.5, 3.0); },
      normal_inputs({{3, 4}}));
  add("where_else_scalar", [](const In& in) { return where(mask_3x4(), in[0] * in[0], 0.5); }, normal_inputs({{3, 4}}));
  add("where_then_scalar", [](const In& in) { return where(mask_3x4(), 0.5, exp(in[0])); }, normal_inputs({{4}}));
  add("log1p", [](const In& in) { return log1p(in[0]); }, positive_inputs({{3, 4}}));
  add("log1p_near_zero", [](const In& in) { return in[0].log1p(); }, fixed_input({1e-3, -1e-3, 0.3, -0.3}, {4}));
  add("expm1", [](const In& in) { return expm1(in[0]); }, normal_inputs({{3, 4}}));
  add("softplus_default", [](const In& in) { return softplus(in[0]); }, normal_inputs({{3, 4}}));
  add("softplus_beta_2", [](const In& in) { return in[0].softplus(2.0, 20.0); }, normal_inputs({{3, 4}}));
  add("leaky_relu", [](const In& in) { return leaky_relu(in[0], 0.2) * in[0]; }, normal_inputs({{3, 4}}));
  add("elu", [](const In& in) { return in[0].elu(0.7) * in[0]; }, normal_inputs({{3, 4}}));
  add("elu_default", [](const In& in) { return elu(in[0]); }, normal_inputs({{3, 4}}));
  add("hardtanh", [](const In& in) { return hardtanh(in[0], -0.5, 0.8) * in[0]; }, normal_inputs({{3, 4}}));
  add("hardtanh_method", [](const In& in) { return in[0].hardtanh() * in[0]; }, normal_inputs({{3, 4}}));
  // Piecewise constant: gradient 0 (inputs away from the steps).
  add("sign", [](const In& in) { return sign(in[0]) * in[0]; }, normal_inputs({{3, 4}}));
  add("floor", [](const In& in) { return floor(in[0] * 3.0) * in[0]; }, fixed_input({0.1, 1.3, -0.7, 2.2}, {4}));
  add("ceil", [](const In& in) { return in[0].ceil() * in[0]; }, fixed_input({0.1, 1.3, -0.7, 2.2}, {4}));
  add("round", [](const In& in) { return round(in[0]) * in[0]; }, fixed_input({0.1, 1.3, -0.7, 2.2}, {4}));
  return c;
}

INSTANTIATE_TEST_SUITE_P(TensorApi, OpGradients, ::testing::ValuesIn(tensor_api_cases()), ParamName{});
INSTANTIATE_TEST_SUITE_P(TensorApi, OpSecondGradients, ::testing::ValuesIn(second_order(tensor_api_cases())),
                         ParamName{});

// float32 agrees with float64 to 1e-5 relative (of the larger of the value and 1).
TEST(TensorApiFloat32, AgreesWithFloat64) {
  manual_seed(5);
  const Tensor x64 = randn({4, 50}, float64) * 3.0;
  const Tensor x32 = x64.to(float32);
  const std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> ops = {
      {"softmax", [](const Tensor& x) { return x.softmax(1); }},
      {"log_softmax", [](const Tensor& x) { return log_softmax(x, 0); }},
      {"logsumexp", [](const Tensor& x) { return x.logsumexp({1}); }},
      {"amax", [](const Tensor& x) { return x.amax({1}); }},
      {"var", [](const Tensor& x) { return x.var({1}); }},
      {"std", [](const Tensor& x) { return x.std({1}, 0.0); }},
      {"norm", [](const Tensor& x) { return x.norm(); }},
      {"norm_3", [](const Tensor& x) { return x.norm(3.0, {1}); }},
      {"cumsum", [](const Tensor& x) { return x.cumsum(1); }},
      {"prod", [](const Tensor& x) { return x.prod({0}); }},
      {"log1p", [](const Tensor& x) { return log1p(abs(x)); }},
      {"expm1", [](const Tensor& x) { return expm1(x); }},
      {"softplus", [](const Tensor& x) { return softplus(x, 2.0, 5.0); }},
      {"elu", [](const Tensor& x) { return elu(x, 0.5); }},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); }},
      {"hardtanh", [](const Tensor& x) { return hardtanh(x, -2.0, 2.0); }},
  };
  for (const auto& [name, op] : ops) {
    const std::vector<double> want = op(x64).to_vector<double>();
    const std::vector<double> got = op(x32).to_vector<double>();
    ASSERT_EQ(got.size(), want.size()) << name;
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5 * (1 + std::abs(want[i]))) << name;
  }
}

// sum(1) and sum({1}) mean the same; sum({}) stays the sum over everything (the one-dim forms are
// templates, so a braced list never binds to them).
TEST(OneDimOverloads, BracedListsKeepMeaningTheDimsList) {
  const Tensor x = randn({2, 3, 4}, float64);
  EXPECT_EQ(x.sum(1).to_vector<double>(), x.sum({1}).to_vector<double>());
  EXPECT_EQ(x.sum(1).shape(), Shape({2, 4}));
  EXPECT_EQ(x.mean(1, true).to_vector<double>(), x.mean({1}, true).to_vector<double>());
  EXPECT_EQ(x.mean(1, true).shape(), Shape({2, 1, 4}));
  EXPECT_EQ(x.sum({}).shape(), Shape({}));
  EXPECT_EQ(sum(x, 2).to_vector<double>(), sum(x, {2}).to_vector<double>());
  EXPECT_EQ(mean(x, -1, true).shape(), Shape({2, 3, 1}));
}

// max(dim) returns int64 indices of the first extreme (the first NaN when there is one) and the values
// there; the gradient goes to that element only.
TEST(MaxAlongDim, IndicesAndGradientOfTheChosenElement) {
  const Tensor x = tensor(std::vector<double>{1, 3, 3, 0, std::nan(""), 1, std::nan(""), 2}, {2, 4}, true);
  const auto [values, indices] = x.max(1);
  EXPECT_EQ(indices.dtype(), int64);
  EXPECT_EQ(indices.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(values.to_vector<double>()[0], 3.0);
  EXPECT_TRUE(std::isnan(values.to_vector<double>()[1]));
  values.sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{0, 1, 0, 0, 1, 0, 0, 0}));
  const auto [low, where_low] = x.detach().min(0, /*keepdim=*/true);
  EXPECT_EQ(low.shape(), Shape({1, 4}));
  EXPECT_EQ(where_low.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 1, 1, 0}));
}

}  // namespace
}  // namespace lucid::test
