// GroupNorm against exact values and PyTorch: every case of tests/golden/group_norm.json (written by
// make_group_norm_golden.py from the closed form in extended precision, checked against
// torch.nn.functional.group_norm in float64) runs through lucid::nn::GroupNorm in float64 and in
// float32, forward and backward of ⟨dy, y⟩; lucid's float32 errors are compared with PyTorch's.
//
// Tolerances (golden::kFloat64 / kFloat32 through golden::close_scaled), per tensor
// |got − want| ≤ rtol·|want| + rtol·max|want|:
// - The stored inputs are exact float32 numbers, so the float64 golden values are the exact answer
//   (to ~1e-12, checked by the generator against an extended-precision closed form) for the very
//   inputs the float32 run sees: the comparison measures lucid's arithmetic error only.
// - The absolute part is scaled to the tensor's largest magnitude because elements near zero (y where
//   x ≈ μ, dx and dγ where the terms of a sum cancel) carry the rounding error of the larger terms
//   they were computed from, not an error relative to themselves. For dx that scale is at least the
//   case's dx_term_scale, max |rstd·γ·dy|: with one element per group dx is exactly 0, the difference
//   of two such terms.
// - float64: 1e-10, i.e. room for ~1e5 ulps.
// - float32: outputs 1e-5 (~100 ulps: one rounding of x − s, a scale and an offset, plus group
//   statistics whose float32 partial sums are accurate to ~1e-6); gradients 1e-4, since dx = rstd·γ·dy
//   + c2·(x − m) + c3 cancels its terms to a result up to ~10× smaller, and dγ, dβ are sums over
//   N·spatial float32 products.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"

namespace {

namespace golden = lucid::test::golden;
using lucid::Tensor;

const std::vector<golden::Case>& cases() {
  static const std::vector<golden::Case> all = golden::load("group_norm.json");
  return all;
}

class GroupNormParity : public ::testing::TestWithParam<golden::ParityParam> {};

TEST_P(GroupNormParity, ForwardAndBackwardMatchPyTorch) {
  const golden::Case& c = cases()[std::get<0>(GetParam())];
  const golden::Precision& p = std::get<1>(GetParam());
  const auto groups = c.attrs.at("num_groups").get<std::int64_t>();
  const auto eps = c.attrs.at("eps").get<double>();
  const bool affine = c.attrs.at("affine").get<bool>();
  ASSERT_EQ(affine, c.has("weight"));
  const Tensor x = c.tensor("x", p.dtype).detach().requires_grad_(true);

  lucid::nn::GroupNorm gn(groups, x.size(1), eps, affine, {}, p.dtype);
  if (affine) {
    lucid::autograd::no_grad guard;
    gn.weight.copy_(c.tensor("weight", p.dtype));
    gn.bias.copy_(c.tensor("bias", p.dtype));
  }
  const Tensor y = gn(x);
  ASSERT_EQ(y.dtype(), p.dtype);
  EXPECT_TRUE(golden::close_scaled(y, c.tensor("y"), p.output_rtol)) << "y";

  y.backward(c.tensor("dy", p.dtype));
  ASSERT_TRUE(x.grad().defined());
  EXPECT_TRUE(golden::close_scaled(x.grad(), c.tensor("dx"), p.grad_rtol,
                                   p.grad_rtol * c.attrs.at("dx_term_scale").get<double>()))
      << "dx";
  if (affine) {
    ASSERT_TRUE(gn.weight.grad().defined() && gn.bias.grad().defined());
    EXPECT_TRUE(golden::close_scaled(gn.weight.grad(), c.tensor("dweight"), p.grad_rtol)) << "dweight";
    EXPECT_TRUE(golden::close_scaled(gn.bias.grad(), c.tensor("dbias"), p.grad_rtol)) << "dbias";
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GroupNormParity, golden::parity_params(cases()), golden::ParityName{cases()});

// max |got − want| / max |want| (the absolute gap where want is all zeros), as the generator measures
// PyTorch's errors.
double scaled_error(const Tensor& got, const Tensor& want) {
  const std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  double gap = 0, scale = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    gap = std::max(gap, std::abs(g[i] - w[i]));
    scale = std::max(scale, std::abs(w[i]));
  }
  return scale > 0 ? gap / scale : gap;
}

// lucid's float32 error on every case is no larger than PyTorch 1.13's float32 error on the same inputs
// (the case's torch_float32_error), or within one float32 ulp (2⁻²³ of the tensor's largest magnitude):
// below that, both are the rounding of the exact result to float32 (one rounding alone costs up to
// half of it), and which of two such errors is smaller depends on where the largest element lands,
// not on the algorithm. Prints the table of both.
TEST(GroupNormParityFloat32, ErrorNoLargerThanPyTorchFloat32) {
  constexpr double kOneFloat32Ulp = 0x1p-23;
  std::printf("%-26s %-8s %12s %12s\n", "case", "output", "lucid f32", "torch f32");
  for (const golden::Case& c : cases()) {
    const auto groups = c.attrs.at("num_groups").get<std::int64_t>();
    const bool affine = c.attrs.at("affine").get<bool>();
    const Tensor x = c.tensor("x", lucid::float32).detach().requires_grad_(true);
    lucid::nn::GroupNorm gn(groups, x.size(1), {.eps = c.attrs.at("eps").get<double>(), .affine = affine});
    if (affine) {
      lucid::autograd::no_grad guard;
      gn.weight.copy_(c.tensor("weight", lucid::float32));
      gn.bias.copy_(c.tensor("bias", lucid::float32));
    }
    const Tensor y = gn(x);
    y.backward(c.tensor("dy", lucid::float32));
    std::vector<std::pair<const char*, Tensor>> outputs{{"y", y}, {"dx", x.grad()}};
    if (affine) outputs.insert(outputs.end(), {{"dweight", gn.weight.grad()}, {"dbias", gn.bias.grad()}});
    for (const auto& [key, got] : outputs) {
      const double mine = scaled_error(got, c.tensor(key));
      const double theirs = c.attrs.at("torch_float32_error").at(key).get<double>();
      std::printf("%-26s %-8s %12.3g %12.3g%s\n", c.name.c_str(), key, mine, theirs, mine > theirs ? "  (larger)" : "");
      EXPECT_LE(mine, std::max(theirs, kOneFloat32Ulp)) << c.name << " " << key;
    }
  }
}

// The golden file holds the spread of cases it promises (a regenerated file that lost some would
// otherwise pass silently).
TEST(GroupNormParityFile, CoversTheCaseSpread) {
  bool g1 = false, gc = false, n1 = false, no_spatial = false, d1 = false, d2 = false, d3 = false;
  bool affine = false, plain = false;
  std::set<double> eps;
  for (const golden::Case& c : cases()) {
    const Tensor x = c.tensor("x");
    const auto groups = c.attrs.at("num_groups").get<std::int64_t>();
    g1 |= groups == 1 && x.size(1) > 1;
    gc |= groups == x.size(1) && groups > 1;
    n1 |= x.size(0) == 1;
    no_spatial |= x.dim() == 2;
    d1 |= x.dim() == 3;
    d2 |= x.dim() == 4;
    d3 |= x.dim() == 5;
    (c.attrs.at("affine").get<bool>() ? affine : plain) = true;
    eps.insert(c.attrs.at("eps").get<double>());
  }
  EXPECT_TRUE(g1 && gc && n1 && no_spatial && d1 && d2 && d3 && affine && plain);
  EXPECT_EQ(eps, (std::set<double>{1e-5, 1e-3, 0.1}));
}

}  // namespace
