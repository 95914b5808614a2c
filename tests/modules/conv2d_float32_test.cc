// float32 Conv2d's own paths against the same convolution in float64, which runs im2col + GEMM (itself
// checked against PyTorch by layers_parity_test and differential_test, and by gradcheck):
//   - oneDNN's convolution primitives (framework/kernels/conv2d_onednn.cc: inputs of 4 or more channels,
//     except 1×1 stride-1 unpadded kernels): a partial last chunk of samples (batches not a multiple of
//     8), stride, dilation, asymmetric padding, inputs whose last rows are never read, non-square
//     kernels, strided 1×1, groups and depthwise;
//   - the thin products (framework/kernels/thin_gemm.h: at most 27 column-matrix rows per group, so one
//     to three input channels): row counts that leave partial register tiles, outputs narrower than a
//     vector and with a partial last vector, batches of several chunks of samples (dW and db summed per
//     chunk), stride, groups, 5×5 kernels;
// each with and without bias, and gradients for a subset of the inputs; and the bound on oneDNN's cache
// of primitives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "framework/kernels/conv2d_onednn.h"
#include "lucid.h"

namespace lucid::test {
namespace {

namespace F = nn::functional;

struct ConvCase {
  std::int64_t n, c, o, h, w, kh, kw;
  F::Conv2dParams params;
  bool bias;
};

// max |a − b| ≤ tol · max |b| over the elements (b the float64 reference).
void expect_close_to_reference(const Tensor& a, const Tensor& b, double tol, const std::string& what) {
  const std::vector<double> got = a.to(float64).to_vector<double>(), want = b.to_vector<double>();
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 0, worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::abs(want[i]));
    worst = std::max(worst, std::abs(got[i] - want[i]));
  }
  EXPECT_LE(worst, tol * scale) << what << ": largest difference " << worst << " against a largest value " << scale;
}

// Every case in float32 and float64 from the same values: the output to 1e-5 and the gradients to 1e-4
// of the largest reference value.
void expect_float32_matches_float64(const std::vector<ConvCase>& cases) {
  for (const ConvCase& k : cases) {
    for (const bool all_gradients : {true, false}) {
      SCOPED_TRACE("x (" + std::to_string(k.n) + ", " + std::to_string(k.c) + ", " + std::to_string(k.h) + ", " +
                   std::to_string(k.w) + "), " + std::to_string(k.o) + " outputs, kernel " + std::to_string(k.kh) +
                   "x" + std::to_string(k.kw) + (all_gradients ? ", all gradients" : ", weight gradient only"));
      manual_seed(5);
      const Tensor x64 = randn({k.n, k.c, k.h, k.w}, float64);
      const Tensor w64 = randn({k.o, k.c / k.params.groups, k.kh, k.kw}, float64);
      const Tensor b64 = k.bias ? randn({k.o}, float64) : Tensor();
      const auto leaf = [](const Tensor& t, DType dtype, bool grad) {
        return t.defined() ? t.to(dtype).detach().requires_grad_(grad) : Tensor();
      };
      std::vector<Tensor> results[2];
      for (const DType dtype : {float32, float64}) {
        const Tensor x = leaf(x64, dtype, all_gradients), w = leaf(w64, dtype, true), b = leaf(b64, dtype, true);
        const Tensor y = F::conv2d(x, w, b, k.params);
        manual_seed(6);  // the same output gradient for both dtypes
        (y * randn(y.shape(), float64).to(dtype)).sum().backward();
        auto& r = results[dtype == float32 ? 0 : 1];
        r = {y, w.grad()};
        if (all_gradients) r.push_back(x.grad());
        if (k.bias) r.push_back(b.grad());
      }
      expect_close_to_reference(results[0][0], results[1][0], 1e-5, "the output");
      for (std::size_t i = 1; i < results[0].size(); ++i) {
        expect_close_to_reference(results[0][i], results[1][i], 1e-4, "gradient " + std::to_string(i));
      }
    }
  }
}

TEST(Conv2dOnednn, Float32MatchesTheFloat64Reference) {
  expect_float32_matches_float64({
      {8, 4, 8, 9, 9, 3, 3, {.padding = {1, 1}}, true},
      {11, 16, 32, 14, 14, 3, 3, {.padding = {1, 1}}, true},     // a partial chunk of 3 samples
      {1, 32, 16, 10, 12, 3, 3, {.padding = {1, 1}}, false},     // the partial chunk alone
      {20, 8, 16, 15, 15, 3, 3, {.stride = {2, 2}, .padding = {1, 1}}, true},
      {9, 8, 12, 13, 11, 3, 2, {.stride = {2, 1}, .padding = {2, 0}, .dilation = {2, 1}}, true},
      {3, 4, 4, 9, 9, 2, 2, {.stride = {3, 3}}, true},  // the last input row and column unread
      {10, 32, 16, 7, 7, 1, 1, {.stride = {2, 2}}, true},
      {9, 16, 16, 12, 12, 3, 3, {.padding = {1, 1}, .groups = 16}, true},  // depthwise
      {9, 8, 12, 8, 8, 3, 3, {.padding = {1, 1}, .groups = 2}, false},
  });
}

// oneDNN's primitives are cached per geometry, the most recently used kMaxOnednnConvPlans of them: a
// stream of new input sizes keeps the cache at that size, and a convolution whose plan was evicted
// makes it again and gives the same output, bit for bit.
TEST(Conv2dOnednn, PlanCacheStaysBoundedAndRemakesEvictedPlans) {
  manual_seed(7);
  const Tensor w = randn({4, 4, 3, 3}), first_input = randn({1, 4, 5, 6});
  const F::Conv2dParams params{.padding = {1, 1}};
  const std::vector<float> first = F::conv2d(first_input, w, Tensor(), params).to_vector<float>();
  const auto widths = static_cast<std::int64_t>(kernels::kMaxOnednnConvPlans) + 8;
  for (std::int64_t width = 7; width < 7 + widths; ++width) {  // a new geometry each: one forward plan
    F::conv2d(zeros({1, 4, 5, width}), w, Tensor(), params);
    ASSERT_LE(kernels::onednn_conv_plans_cached(), kernels::kMaxOnednnConvPlans) << "width " << width;
  }
  EXPECT_EQ(kernels::onednn_conv_plans_cached(), kernels::kMaxOnednnConvPlans);
  EXPECT_EQ(F::conv2d(first_input, w, Tensor(), params).to_vector<float>(), first);
}

TEST(Conv2dThinGemm, Float32MatchesTheFloat64Reference) {
  expect_float32_matches_float64({
      {9, 1, 5, 28, 28, 3, 3, {.padding = {1, 1}}, true},   // the example's first layer, chunks of 4, 4, 1
      {6, 3, 7, 13, 11, 3, 3, {.padding = {1, 1}}, true},   // RGB: 27 rows; 143 columns, a partial vector
      {5, 2, 3, 5, 5, 3, 3, {}, true},                      // 9 columns: one vector and one more
      {4, 1, 4, 3, 3, 2, 2, {}, true},                      // 4 columns, narrower than a vector
      {7, 2, 6, 9, 10, 3, 3, {.padding = {1, 1}, .groups = 2}, true},
      {5, 1, 8, 20, 20, 5, 5, {.padding = {2, 2}}, false},  // 25 rows
      {9, 3, 4, 17, 17, 3, 3, {.stride = {2, 2}, .padding = {1, 1}}, true},
  });
}

}  // namespace
}  // namespace lucid::test
