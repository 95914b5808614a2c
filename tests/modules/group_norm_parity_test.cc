// GroupNorm against PyTorch: every case of tests/golden/group_norm.json (written by
// make_group_norm_golden.py with torch.nn.functional.group_norm in float64) runs through
// lucid::nn::GroupNorm in float64 and in float32, forward and backward of ⟨dy, y⟩.
//
// Tolerances (golden::kFloat64 / kFloat32 through golden::close_scaled), per tensor
// |got − want| ≤ rtol·|want| + rtol·max|want|:
// - The stored inputs are exact float32 numbers, so the float64 golden values are the exact answer
//   (to ~1e-12, checked by the generator against an extended-precision closed form) for the very
//   inputs the float32 run sees: the comparison measures lucid's arithmetic error only.
// - The absolute part is scaled to the tensor's largest magnitude because elements near zero (y where
//   x ≈ μ, dx and dγ where the terms of a sum cancel) carry the rounding error of the larger terms
//   they were computed from, not an error relative to themselves.
// - float64: 1e-10, i.e. room for ~1e5 ulps; the offset cases (x ~ 1e4 + unit noise) need ~1e4 of it.
// - float32: outputs 1e-5 (~100 ulps: one rounding of x − s, a scale and an offset, plus group
//   statistics whose float32 partial sums are accurate to ~1e-6); gradients 1e-4, since dx = rstd·γ·dy
//   + c2·(x − s) + c3 cancels its terms to a result up to ~10× smaller, and dγ, dβ are sums over
//   N·spatial float32 products.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
  EXPECT_TRUE(golden::close_scaled(x.grad(), c.tensor("dx"), p.grad_rtol)) << "dx";
  if (affine) {
    ASSERT_TRUE(gn.weight.grad().defined() && gn.bias.grad().defined());
    EXPECT_TRUE(golden::close_scaled(gn.weight.grad(), c.tensor("dweight"), p.grad_rtol)) << "dweight";
    EXPECT_TRUE(golden::close_scaled(gn.bias.grad(), c.tensor("dbias"), p.grad_rtol)) << "dbias";
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GroupNormParity, golden::parity_params(cases()), golden::ParityName{cases()});

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
