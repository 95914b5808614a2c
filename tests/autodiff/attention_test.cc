// Issue 26's acceptance item: a causal scaled-dot-product attention block, softmax(q·kᵀ/√d + causal mask)·v
// written with lucid's ops (matmul over batch dimensions, transpose, masked_fill, softmax over the last
// dim), gradchecked and gradgradchecked in float64 w.r.t. q, k and v, and checked against a plain loop
// in double and against PyTorch 1.13 (tests/golden/attention.json from make_attention_golden.py: values
// and the gradients of q, k, v). docs/FROM_LIBTORCH.md shows the same block.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/golden_util.h"

namespace lucid::test {
namespace {

constexpr std::int64_t kAttnB = 2, kAttnH = 2, kAttnT = 5, kAttnD = 4;

// (T, T) 0/1 mask in q's dtype: 1 above the diagonal (key position j > query position i), the future
// that a causal block must not see.
Tensor causal_mask(std::int64_t t, DType dtype) {
  const Tensor rows = arange(static_cast<double>(t), dtype).reshape({t, 1});
  const Tensor cols = arange(static_cast<double>(t), dtype).reshape({1, t});
  return cols > rows;
}

// q, k, v: (B, H, T, d) → (B, H, T, d).
Tensor causal_attention(const Tensor& q, const Tensor& k, const Tensor& v) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  const Tensor scores = matmul(q, k.transpose(-2, -1)) * scale;  // (B, H, T, T)
  const Tensor masked = scores.masked_fill(causal_mask(q.size(-2), q.dtype()), -std::numeric_limits<double>::infinity());
  return matmul(masked.softmax(-1), v);
}

// The same attention, one (b, h, i) row at a time in double, with no lucid op.
std::vector<double> reference_attention(const std::vector<double>& q, const std::vector<double>& k,
                                        const std::vector<double>& v) {
  std::vector<double> out(q.size(), 0.0);
  const double scale = 1.0 / std::sqrt(static_cast<double>(kAttnD));
  for (std::int64_t bh = 0; bh < kAttnB * kAttnH; ++bh) {
    const std::int64_t base = bh * kAttnT * kAttnD;
    for (std::int64_t i = 0; i < kAttnT; ++i) {
      std::vector<double> score(static_cast<std::size_t>(i + 1));
      double largest = -std::numeric_limits<double>::infinity();
      for (std::int64_t j = 0; j <= i; ++j) {  // only keys at or before the query
        double dot = 0.0;
        for (std::int64_t c = 0; c < kAttnD; ++c) dot += q[base + i * kAttnD + c] * k[base + j * kAttnD + c];
        score[j] = dot * scale;
        largest = std::max(largest, score[j]);
      }
      double total = 0.0;
      for (double& s : score) total += (s = std::exp(s - largest));
      for (std::int64_t j = 0; j <= i; ++j) {
        for (std::int64_t c = 0; c < kAttnD; ++c) out[base + i * kAttnD + c] += score[j] / total * v[base + j * kAttnD + c];
      }
    }
  }
  return out;
}

std::vector<Tensor> attention_inputs() {
  manual_seed(26);
  return {randn({kAttnB, kAttnH, kAttnT, kAttnD}, float64, /*requires_grad=*/true),
          randn({kAttnB, kAttnH, kAttnT, kAttnD}, float64, /*requires_grad=*/true),
          randn({kAttnB, kAttnH, kAttnT, kAttnD}, float64, /*requires_grad=*/true)};
}

TEST(CausalAttention, MatchesAPlainLoopInDouble) {
  const std::vector<Tensor> in = attention_inputs();
  const Tensor out = causal_attention(in[0], in[1], in[2]);
  EXPECT_EQ(out.shape(), Shape({kAttnB, kAttnH, kAttnT, kAttnD}));
  EXPECT_EQ(out.dtype(), float64);
  const std::vector<double> expected =
      reference_attention(in[0].to_vector<double>(), in[1].to_vector<double>(), in[2].to_vector<double>());
  const std::vector<double> got = out.to_vector<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-12) << "element " << i;
}

TEST(CausalAttention, MatchesPyTorchWithGradients) {
  const std::vector<golden::Case> cases = golden::load("attention.json");
  ASSERT_EQ(cases.size(), 1u);
  const golden::Case& c = cases[0];
  Tensor q = c.tensor("q").requires_grad_(), k = c.tensor("k").requires_grad_(), v = c.tensor("v").requires_grad_();
  const Tensor out = causal_attention(q, k, v);
  EXPECT_TRUE(golden::close_scaled(out, c.tensor("out"), 1e-12));
  out.backward(c.tensor("gy"));
  EXPECT_TRUE(golden::close_scaled(q.grad(), c.tensor("dq"), 1e-12));
  EXPECT_TRUE(golden::close_scaled(k.grad(), c.tensor("dk"), 1e-12));
  EXPECT_TRUE(golden::close_scaled(v.grad(), c.tensor("dv"), 1e-12));
}

TEST(CausalAttention, FirstPositionAttendsToItselfOnly) {
  // Row 0 sees only key 0, so its output is v's row 0 exactly.
  const std::vector<Tensor> in = attention_inputs();
  const std::vector<double> out = causal_attention(in[0], in[1], in[2]).to_vector<double>();
  const std::vector<double> v = in[2].to_vector<double>();
  for (std::int64_t bh = 0; bh < kAttnB * kAttnH; ++bh) {
    for (std::int64_t c = 0; c < kAttnD; ++c) {
      const std::int64_t at = bh * kAttnT * kAttnD + c;
      EXPECT_NEAR(out[at], v[at], 1e-15) << "(b·h, c) = (" << bh << ", " << c << ")";
    }
  }
}

TEST(CausalAttention, NoGradientFlowsFromThePastToTheFuture) {
  // The gradient of output row i reaches k and v only at positions ≤ i: seed row 2 alone.
  const std::vector<Tensor> in = attention_inputs();
  const Tensor out = causal_attention(in[0], in[1], in[2]);
  const Tensor row = arange(static_cast<double>(kAttnT), float64).reshape({kAttnT, 1}) == 2.0;  // (T, 1)
  out.backward(expand(row, out.shape()));
  for (const Tensor& leaf : {in[1], in[2]}) {
    const std::vector<double> g = leaf.grad().to_vector<double>();
    for (std::int64_t bh = 0; bh < kAttnB * kAttnH; ++bh) {
      for (std::int64_t t = 3; t < kAttnT; ++t) {
        for (std::int64_t c = 0; c < kAttnD; ++c) {
          EXPECT_EQ(g[(bh * kAttnT + t) * kAttnD + c], 0.0) << "(b·h, t, c) = (" << bh << ", " << t << ", " << c << ")";
        }
      }
    }
  }
  // q's rows other than 2 get nothing either.
  const std::vector<double> gq = in[0].grad().to_vector<double>();
  for (std::int64_t bh = 0; bh < kAttnB * kAttnH; ++bh) {
    for (std::int64_t t = 0; t < kAttnT; ++t) {
      if (t == 2) continue;
      for (std::int64_t c = 0; c < kAttnD; ++c) EXPECT_EQ(gq[(bh * kAttnT + t) * kAttnD + c], 0.0);
    }
  }
}

TEST(CausalAttention, GradcheckFloat64) {
  EXPECT_GRADCHECK([](const std::vector<Tensor>& x) { return causal_attention(x[0], x[1], x[2]); }, attention_inputs());
}

TEST(CausalAttention, GradgradcheckFloat64) {
  EXPECT_GRADGRADCHECK([](const std::vector<Tensor>& x) { return causal_attention(x[0], x[1], x[2]); },
                       attention_inputs());
}

TEST(CausalAttention, Float32MatchesFloat64) {
  const std::vector<Tensor> in = attention_inputs();
  const std::vector<double> want = causal_attention(in[0], in[1], in[2]).to_vector<double>();
  const std::vector<float> got =
      causal_attention(in[0].to(float32), in[1].to(float32), in[2].to(float32)).to_vector<float>();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "element " << i;
}

}  // namespace
}  // namespace lucid::test
