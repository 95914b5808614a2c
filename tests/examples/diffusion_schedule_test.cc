// The diffusion example's noise schedule against closed forms computed here in float64: ᾱ_t of the
// cosine schedule, the forward noising, the DDIM timesteps and one DDIM step (with and without the
// x̂0 clamp acting), and its bad arguments.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "examples/diffusion/schedule.h"
#include "lucid.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

// ᾱ(t) = f((t + 1)/T) / f(0), f(u) = cos²((u + 0.008)/1.008 · π/2): the telescoped product of the
// cosine schedule where no β is clipped (Nichol & Dhariwal 2021, eq. 17).
double cosine_alpha_bar_closed_form(std::int64_t t, std::int64_t steps) {
  const auto f = [](double u) {
    const double c = std::cos((u + 0.008) / 1.008 * std::numbers::pi / 2.0);
    return c * c;
  };
  return f(static_cast<double>(t + 1) / static_cast<double>(steps)) / f(0.0);
}

TEST(DiffusionSchedule, AlphaBarIsTheCosineClosedForm) {
  const diffusion::NoiseSchedule schedule(1000);
  ASSERT_EQ(schedule.steps(), 1000);
  // β stays below 0.999 up to t ≈ 995 for T = 1000; the last steps are clipped.
  for (const std::int64_t t : {0, 1, 10, 100, 250, 500, 750, 900, 990}) {
    EXPECT_NEAR(schedule.alpha_bar(t), cosine_alpha_bar_closed_form(t, 1000), 1e-12 * (1.0 + 1.0 / cosine_alpha_bar_closed_form(t, 1000)))
        << "t = " << t;
  }
  EXPECT_NEAR(schedule.alpha_bar(0), 0.99996, 1e-5);  // ≈ 1: almost no noise at the first step
  EXPECT_LT(schedule.alpha_bar(999), 1e-6);           // almost pure noise at the last
  for (std::int64_t t = 1; t < 1000; ++t) ASSERT_LT(schedule.alpha_bar(t), schedule.alpha_bar(t - 1)) << t;
}

TEST(DiffusionSchedule, AddNoiseIsTheForwardProcess) {
  const diffusion::NoiseSchedule schedule(1000);
  const std::vector<float> x0{0.5F, -1.0F, 0.25F, 1.0F}, eps{1.5F, -0.5F, 2.0F, 0.0F};
  const Tensor t = tensor(std::vector<std::int64_t>{10, 700}, {2});
  const Tensor xt = schedule.add_noise(tensor(x0, {2, 1, 1, 2}), tensor(eps, {2, 1, 1, 2}), t);
  ASSERT_EQ(xt.shape(), Shape({2, 1, 1, 2}));
  const std::vector<float> got = xt.to_vector<float>();
  for (std::size_t i = 0; i < 4; ++i) {
    const double ab = cosine_alpha_bar_closed_form(i < 2 ? 10 : 700, 1000);
    EXPECT_NEAR(got[i], std::sqrt(ab) * x0[i] + std::sqrt(1.0 - ab) * eps[i], 1e-6) << i;
  }
}

TEST(DiffusionSchedule, DdimTimestepsAreEvenlySpacedDownToZero) {
  const diffusion::NoiseSchedule schedule(1000);
  EXPECT_EQ(schedule.ddim_timesteps(5), (std::vector<std::int64_t>{999, 749, 500, 250, 0}));
  EXPECT_EQ(schedule.ddim_timesteps(1), (std::vector<std::int64_t>{999}));
  EXPECT_EQ(schedule.ddim_timesteps(1000).size(), 1000U);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { schedule.ddim_timesteps(0); }), "count (0) must be in 1..1000"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { schedule.ddim_timesteps(1001); }), "count (1001)"));
}

// x_prev = √ᾱ_prev x̂0 + √(1 − ᾱ_prev) ε', x̂0 = clamp((x − √(1−ᾱ) ε)/√ᾱ, −1, 1), ε' = (x − √ᾱ x̂0)/√(1−ᾱ).
double ddim_closed_form(double x, double eps, double ab, double ab_prev) {
  const double x0 = std::clamp((x - std::sqrt(1.0 - ab) * eps) / std::sqrt(ab), -1.0, 1.0);
  const double e = (x - std::sqrt(ab) * x0) / std::sqrt(1.0 - ab);
  return std::sqrt(ab_prev) * x0 + std::sqrt(1.0 - ab_prev) * e;
}

TEST(DiffusionSchedule, DdimStepMatchesTheFloat64Formula) {
  const diffusion::NoiseSchedule schedule(1000);
  // The first two predict x̂0 inside [−1, 1]; the last two far outside (the clamp acts). Timesteps
  // below 995, where the closed form holds (no clipped β).
  const std::vector<float> x{0.3F, -0.8F, 2.5F, -3.0F}, eps{0.1F, -0.4F, -1.0F, 1.0F};
  for (const auto& [t, t_prev] : std::vector<std::pair<std::int64_t, std::int64_t>>{{990, 749}, {500, 250}, {40, 0}, {10, -1}}) {
    const std::vector<float> got = schedule.ddim_step(tensor(x, {4}), tensor(eps, {4}), t, t_prev).to_vector<float>();
    const double ab = cosine_alpha_bar_closed_form(t, 1000), ab_prev = t_prev < 0 ? 1.0 : cosine_alpha_bar_closed_form(t_prev, 1000);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double want = ddim_closed_form(x[i], eps[i], ab, ab_prev);
      EXPECT_NEAR(got[i], want, 2e-5 * (1.0 + std::abs(want))) << "t " << t << " -> " << t_prev << ", i " << i;
    }
  }
  // To t_prev = −1 the result is x̂0 itself, within [−1, 1].
  const std::vector<float> last = schedule.ddim_step(tensor(x, {4}), tensor(eps, {4}), 10, -1).to_vector<float>();
  EXPECT_FLOAT_EQ(last[2], 1.0F);
  EXPECT_FLOAT_EQ(last[3], -1.0F);
}

TEST(DiffusionSchedule, BadArgumentsRaiseValueError) {
  EXPECT_TRUE(contains(error_message<ValueError>([] { diffusion::NoiseSchedule s(1); }), "steps (1) must be at least 2"));
  const diffusion::NoiseSchedule schedule(100);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { schedule.alpha_bar(100); }), "timestep 100 is outside 0..99"));
  const Tensor x = zeros({2});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { schedule.ddim_step(x, x, 5, 5); }), "got t 5 and t_prev 5"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { schedule.ddim_step(x, x, 100, 3); }), "got t 100"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] {
                         schedule.add_noise(zeros({2, 3}), zeros({2, 3}), tensor(std::vector<std::int64_t>{1}, {1}));
                       }),
                       "add_noise"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] {
                         schedule.add_noise(zeros({1, 3}), zeros({1, 3}), tensor(std::vector<std::int64_t>{100}, {1}));
                       }),
                       "timestep 100"));
}

}  // namespace
}  // namespace lucid::test
