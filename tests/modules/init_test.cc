// nn::init: gains and fans against PyTorch (tests/golden/init.json, make_init_golden.py), the
// distributions of every initialiser (exact bounds, sample mean and standard deviation of large
// tensors, truncation, orthogonality), and that initialisers stay outside autograd.
//
// Statistical tolerances: n ≥ 131072 samples, so the sample mean's standard error is ≤ std/362 and the
// sample std's relative standard error ≤ 1/512; the checks allow 5 standard errors for the mean and 1%
// (≥ 5 standard errors) for the std. Every test seeds the generator, so a run is reproducible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"

namespace lucid::test {
namespace {

namespace init = nn::init;

Shape shape_attr(const golden::Case& c) {
  const auto dims = c.attrs.at("shape").get<std::vector<std::int64_t>>();
  return Shape(dims.begin(), dims.end());
}

const std::vector<golden::Case>& init_cases(const std::string& prefix) {
  static const std::vector<golden::Case> all = golden::load("init.json");
  static std::map<std::string, std::vector<golden::Case>> by_prefix;
  auto [it, inserted] = by_prefix.try_emplace(prefix);
  if (inserted) {
    for (const golden::Case& c : all) {
      if (c.name.starts_with(prefix)) it->second.push_back(c);
    }
  }
  return it->second;
}

struct Moments {
  double mean, std, min, max;
};

Moments moments(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  double sum = 0, squares = 0;
  for (double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  for (double x : v) squares += (x - mean) * (x - mean);
  const auto [min, max] = std::minmax_element(v.begin(), v.end());
  return {mean, std::sqrt(squares / static_cast<double>(v.size() - 1)), *min, *max};
}

// Sample mean within 5 standard errors of `mean`, sample std within 1% of `std`.
void expect_moments(const Tensor& t, double mean, double std) {
  const Moments m = moments(t);
  EXPECT_NEAR(m.mean, mean, 5.0 * std / std::sqrt(static_cast<double>(t.numel())));
  EXPECT_NEAR(m.std, std, 0.01 * std);
}

// Every sample in [−bound, bound] and the extremes within 0.1% of it (for n ≥ 131072 uniform samples the
// chance of missing that is below e^-131).
void expect_uniform_bound(const Tensor& t, double bound) {
  const Moments m = moments(t);
  EXPECT_GE(m.min, -bound);
  EXPECT_LE(m.max, bound);
  EXPECT_LT(m.min, -0.999 * bound);
  EXPECT_GT(m.max, 0.999 * bound);
  expect_moments(t, 0.0, bound / std::sqrt(3.0));
}

TEST(InitGolden, CalculateGainMatchesPyTorch) {
  ASSERT_EQ(init_cases("gain_").size(), 15u);
  for (const golden::Case& c : init_cases("gain_")) {
    std::optional<double> param;
    if (c.attrs.contains("param")) param = c.attrs.at("param").get<double>();
    EXPECT_DOUBLE_EQ(init::calculate_gain(c.attrs.at("nonlinearity").get<std::string>(), param),
                     c.attrs.at("gain").get<double>())
        << c.name;
  }
}

TEST(InitGolden, FansMatchPyTorch) {
  ASSERT_EQ(init_cases("fans_").size(), 7u);
  for (const golden::Case& c : init_cases("fans_")) {
    const init::Fans fans = init::calculate_fan_in_and_fan_out(zeros(shape_attr(c)));
    EXPECT_EQ(fans.fan_in, c.attrs.at("fan_in").get<std::int64_t>()) << c.name;
    EXPECT_EQ(fans.fan_out, c.attrs.at("fan_out").get<std::int64_t>()) << c.name;
  }
}

TEST(InitGolden, KaimingBoundsAndStdMatchPyTorch) {
  ASSERT_EQ(init_cases("kaiming_").size(), 6u);
  manual_seed(1);
  for (const golden::Case& c : init_cases("kaiming_")) {
    SCOPED_TRACE(c.name);
    const double a = c.attrs.at("a").get<double>();
    const std::string mode = c.attrs.at("mode").get<std::string>();
    const std::string nonlinearity = c.attrs.at("nonlinearity").get<std::string>();
    Tensor t = zeros(shape_attr(c), float64);
    init::kaiming_uniform_(t, a, mode, nonlinearity);
    expect_uniform_bound(t, c.attrs.at("bound").get<double>());
    init::kaiming_normal_(t, a, mode, nonlinearity);
    expect_moments(t, 0.0, c.attrs.at("std").get<double>());
  }
}

TEST(InitGolden, XavierBoundsAndStdMatchPyTorch) {
  ASSERT_EQ(init_cases("xavier_").size(), 3u);
  manual_seed(2);
  for (const golden::Case& c : init_cases("xavier_")) {
    SCOPED_TRACE(c.name);
    const double gain = c.attrs.at("gain").get<double>();
    Tensor t = zeros(shape_attr(c), float64);
    init::xavier_uniform_(t, gain);
    expect_uniform_bound(t, c.attrs.at("bound").get<double>());
    init::xavier_normal_(t, gain);
    expect_moments(t, 0.0, c.attrs.at("std").get<double>());
  }
}

TEST(Init, KaimingUniformWithSqrt5IsTheLinearDefaultBound) {
  manual_seed(3);
  Tensor w = zeros({512, 300}, float64);
  init::kaiming_uniform_(w, std::sqrt(5.0));
  expect_uniform_bound(w, 1.0 / std::sqrt(300.0));
}

TEST(Init, NormalConstantZerosOnes) {
  manual_seed(4);
  Tensor t = zeros({400, 400}, float64);
  init::normal_(t, 0.5, 0.02);
  expect_moments(t, 0.5, 0.02);
  init::constant_(t, -3.25);
  EXPECT_EQ(moments(t).min, -3.25);
  EXPECT_EQ(moments(t).max, -3.25);
  init::ones_(t);
  EXPECT_EQ(moments(t).min, 1.0);
  init::zeros_(t);
  EXPECT_EQ(moments(t).max, 0.0);
  init::normal_(t, 1.5, 0.0);  // std 0: every value is the mean
  EXPECT_EQ(moments(t).min, 1.5);
  EXPECT_EQ(moments(t).max, 1.5);
}

// The mean and standard deviation of N(μ, σ²) truncated to [a, b] (α = (a − μ)/σ, β = (b − μ)/σ,
// Z = Φ(β) − Φ(α)): μ + σ(φ(α) − φ(β))/Z and σ·√(1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²).
Moments truncated_normal_moments(double mu, double sigma, double a, double b) {
  auto pdf = [](double x) { return std::isinf(x) ? 0.0 : std::exp(-x * x / 2) / std::sqrt(2 * std::numbers::pi); };
  auto cdf = [](double x) { return (1 + std::erf(x / std::numbers::sqrt2)) / 2; };
  auto x_pdf = [&](double x) { return std::isinf(x) ? 0.0 : x * pdf(x); };
  const double alpha = (a - mu) / sigma, beta = (b - mu) / sigma, z = cdf(beta) - cdf(alpha);
  const double shift = (pdf(alpha) - pdf(beta)) / z;
  return {mu + sigma * shift, sigma * std::sqrt(1 + (x_pdf(alpha) - x_pdf(beta)) / z - shift * shift), a, b};
}

TEST(Init, TruncNormalStaysInBoundsWithTheTruncatedMoments) {
  manual_seed(5);
  struct Setting {
    double mean, std, a, b;
  };
  for (const Setting& s : {Setting{0, 1, -2, 2}, Setting{0.5, 0.02, 0.46, 0.6}, Setting{0, 1, 1, 3},
                           Setting{2, 1.5, -INFINITY, 2.5}, Setting{0, 0.02, -2, 2}}) {
    SCOPED_TRACE(std::to_string(s.mean) + ", " + std::to_string(s.std) + ", [" + std::to_string(s.a) + ", " +
                 std::to_string(s.b) + "]");
    Tensor t = zeros({512, 256}, float64);
    init::trunc_normal_(t, s.mean, s.std, s.a, s.b);
    const Moments got = moments(t), want = truncated_normal_moments(s.mean, s.std, s.a, s.b);
    EXPECT_GE(got.min, s.a);
    EXPECT_LE(got.max, s.b);
    EXPECT_NEAR(got.mean, want.mean, 5.0 * want.std / std::sqrt(static_cast<double>(t.numel())));
    EXPECT_NEAR(got.std, want.std, 0.01 * want.std);
  }
}

// ‖q·qᵀ − I‖∞ for the rows of the (rows, cols) matrix q, or of its columns when `columns`.
double orthonormality_error(const Tensor& q2d, bool columns) {
  const Tensor q = columns ? q2d.transpose(0, 1) : q2d;
  const Tensor gram = lucid::matmul(q, q.transpose(0, 1));
  const std::int64_t n = gram.size(0);
  const std::vector<double> g = gram.to_vector<double>();
  double worst = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < n; ++j) worst = std::max(worst, std::abs(g[i * n + j] - (i == j ? 1.0 : 0.0)));
  }
  return worst;
}

TEST(Init, OrthogonalRowsOrColumnsAreOrthonormal) {
  manual_seed(6);
  Tensor wide = zeros({20, 50}, float64), tall = zeros({50, 20}, float64), square = zeros({64, 64}, float64);
  init::orthogonal_(wide);
  init::orthogonal_(tall);
  init::orthogonal_(square);
  EXPECT_LT(orthonormality_error(wide, false), 1e-12);
  EXPECT_LT(orthonormality_error(tall, true), 1e-12);
  EXPECT_LT(orthonormality_error(square, false), 1e-12);
  EXPECT_LT(orthonormality_error(square, true), 1e-12);
}

TEST(Init, OrthogonalFlattensTrailingDimensionsAndScalesByGain) {
  manual_seed(7);
  Tensor conv = zeros({8, 4, 3, 3}, float64);
  init::orthogonal_(conv, 2.0);
  const Tensor rows = conv.reshape({8, 36}) / 2.0;
  EXPECT_LT(orthonormality_error(rows, false), 1e-12);
  Tensor single = zeros({16, 5});  // float32: orthonormal to float32 rounding
  init::orthogonal_(single);
  EXPECT_LT(orthonormality_error(single.to(float64), true), 1e-6);
}

TEST(Init, InitialisersWriteParametersOutsideAutograd) {
  nn::Linear fc(30, 20);
  const std::uint64_t version = fc.weight._version();
  init::kaiming_normal_(fc.weight, 0.0, "fan_out", "relu");
  init::xavier_uniform_(fc.weight);
  init::trunc_normal_(fc.weight, 0.0, 0.02);
  init::orthogonal_(fc.weight);
  init::zeros_(fc.bias);
  EXPECT_TRUE(fc.weight.is_leaf());
  EXPECT_TRUE(fc.weight.requires_grad());
  EXPECT_GT(fc.weight._version(), version);
  EXPECT_EQ(fc.bias.to_vector<double>(), std::vector<double>(20, 0.0));
}

TEST(Init, KaimingLeavesZeroSizedTensorsAlone) {
  Tensor empty = zeros({0, 4});
  init::kaiming_uniform_(empty);
  init::kaiming_normal_(empty, 0.0, "no_such_mode");  // PyTorch returns before looking at the mode
  EXPECT_EQ(empty.numel(), 0);
}

}  // namespace
}  // namespace lucid::test
