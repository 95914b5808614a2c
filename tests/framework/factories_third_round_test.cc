// The factories a LibTorch user reaches for (issue 26 item 4): 1-D and nested literals without a
// shape, eye, linspace (against PyTorch 1.13, tests/golden/factories.json), randint, randperm,
// *_like with a dtype, from_blob without a copy, and one shape type (Shape, std::vector, braced list).
// Their rejected inputs: tests/reliability/bad_input_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/test_util.h"

namespace lucid {
namespace {

TEST(TensorLiterals, OneDimensionalFromVectorsAndBracedLists) {
  EXPECT_EQ(tensor(std::vector<float>{1, 2, 3}).shape(), Shape({3}));
  EXPECT_EQ(tensor(std::vector<double>{1, 2}).dtype(), float64);
  const Tensor ids = tensor(std::vector<std::int64_t>{4, 0, 7});
  EXPECT_EQ(ids.dtype(), int64);
  EXPECT_EQ(ids.to_vector<std::int64_t>(), (std::vector<std::int64_t>{4, 0, 7}));
  const Tensor braced = tensor({1.5, -2.0, 3.0});
  EXPECT_EQ(braced.dtype(), float32);
  EXPECT_EQ(braced.to_vector<float>(), (std::vector<float>{1.5f, -2.0f, 3.0f}));
  EXPECT_EQ(tensor(std::vector<float>{}).shape(), Shape({0}));
}

TEST(TensorLiterals, NestedBracedListsAreRows) {
  const Tensor m = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  EXPECT_EQ(m.shape(), Shape({2, 3}));
  EXPECT_EQ(m.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Eye, OnesOnTheDiagonal) {
  EXPECT_EQ(eye(3).to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  const Tensor wide = eye(2, 4, float64);
  EXPECT_EQ(wide.shape(), Shape({2, 4}));
  EXPECT_EQ(wide.to_vector<double>(), (std::vector<double>{1, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(eye(3, 2, int64).to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 0, 0, 1, 0, 0}));
  EXPECT_EQ(eye(0).shape(), Shape({0, 0}));
}

// PyTorch's scalar formula; its vectorised kernel computes a vector's lanes as base + j·step from the
// vector's first element, so its last bits depend on the SIMD width: agreement to 4 units of the
// dtype's rounding relative to the largest magnitude, and both ends exact.
TEST(Linspace, MatchesPyTorch) {
  for (const test::golden::Case& c : test::golden::load("factories.json")) {
    SCOPED_TRACE(c.name);
    const DType dtype = c.attrs.at("dtype") == "float32" ? float32 : float64;
    const double start = c.attrs.at("start").get<double>(), end = c.attrs.at("end").get<double>();
    const Tensor got = linspace(start, end, c.attrs.at("steps").get<std::int64_t>(), dtype);
    EXPECT_EQ(got.dtype(), dtype);
    const double unit = dtype == float32 ? 0x1p-24 : 0x1p-53;
    EXPECT_TRUE(test::golden::close_scaled(got, c.tensor("out"), 4 * unit));
    const std::vector<double> values = got.to_vector<double>();
    if (values.empty()) continue;
    EXPECT_EQ(values.front(), dtype == float32 ? static_cast<float>(start) : start);
    if (values.size() > 1) {
      EXPECT_EQ(values.back(), dtype == float32 ? static_cast<float>(end) : end);
    }
  }
}

TEST(Randint, UniformOverTheHalfOpenRange) {
  manual_seed(11);
  const Tensor draws = randint(-3, 4, {70000});
  EXPECT_EQ(draws.dtype(), int64);
  std::vector<int> counts(7, 0);
  for (std::int64_t v : draws.to_vector<std::int64_t>()) {
    ASSERT_GE(v, -3);
    ASSERT_LT(v, 4);
    ++counts[static_cast<std::size_t>(v + 3)];
  }
  // Each count is Binomial(70000, 1/7): mean 10000, standard deviation 92.6; 5 sigma is 463.
  for (int count : counts) EXPECT_NEAR(count, 10000, 463);
  EXPECT_EQ(randint(5, {2, 3}, float32).dtype(), float32);
}

TEST(Randint, SameSeedSameDraws) {
  manual_seed(7);
  const auto first = randint(0, 1000, {50}).to_vector<std::int64_t>();
  manual_seed(7);
  EXPECT_EQ(randint(0, 1000, {50}).to_vector<std::int64_t>(), first);
}

TEST(Randperm, IsAPermutationAndEveryPositionIsUniform) {
  manual_seed(5);
  std::vector<std::vector<int>> where(4, std::vector<int>(4, 0));  // where[value][position]
  for (int trial = 0; trial < 24000; ++trial) {
    const auto p = randperm(4).to_vector<std::int64_t>();
    ASSERT_EQ(std::set<std::int64_t>(p.begin(), p.end()), (std::set<std::int64_t>{0, 1, 2, 3}));
    for (std::size_t pos = 0; pos < 4; ++pos) ++where[static_cast<std::size_t>(p[pos])][pos];
  }
  // Binomial(24000, 1/4): mean 6000, standard deviation 67; 5 sigma is 335.
  for (const auto& row : where) {
    for (int count : row) EXPECT_NEAR(count, 6000, 335);
  }
  EXPECT_EQ(randperm(0).numel(), 0);
  EXPECT_EQ(randperm(3, float64).dtype(), float64);
}

TEST(LikeFactories, TakeTheShapeAndOptionallyADtype) {
  const Tensor x = ones({2, 3}, float64);
  EXPECT_EQ(zeros_like(x).dtype(), float64);
  const Tensor z = zeros_like(x, float32);
  EXPECT_EQ(z.dtype(), float32);
  EXPECT_EQ(z.shape(), x.shape());
  EXPECT_EQ(ones_like(x, int64).to_vector<std::int64_t>(), std::vector<std::int64_t>(6, 1));
  EXPECT_EQ(full_like(x, 2.5).to_vector<double>(), std::vector<double>(6, 2.5));
  EXPECT_EQ(empty_like(x, float32).shape(), x.shape());
  EXPECT_EQ(empty_like(x).dtype(), float64);
  EXPECT_EQ(rand_like(x).dtype(), float64);
  EXPECT_EQ(randn_like(x, float32).shape(), x.shape());
}

TEST(FromBlob, SharesTheCallersMemory) {
  std::vector<float> buffer{1, 2, 3, 4, 5, 6};
  Tensor t = from_blob(buffer.data(), {2, 3}, float32);
  EXPECT_EQ(t.data<float>(), buffer.data());  // no copy
  EXPECT_EQ(t.to_vector<float>(), buffer);
  t.mul_(2.0);
  EXPECT_EQ(buffer, (std::vector<float>{2, 4, 6, 8, 10, 12}));  // writes reach the buffer
  buffer[0] = -1;
  EXPECT_EQ(t.to_vector<float>()[0], -1.0f);
  EXPECT_EQ((t.reshape({6}) * 1.0).to_vector<float>()[5], 12.0f);
  EXPECT_EQ(from_blob(nullptr, {0}, float64).numel(), 0);
}

TEST(FromBlob, LargeBuffersAreNotRecycledOrFreed) {
  std::vector<double> buffer(1 << 16, 3.0);  // 512 KiB: the size Storage would recycle
  { const Tensor t = from_blob(buffer.data(), {1 << 16}, float64); }
  const Tensor fresh = zeros({1 << 16}, float64);
  EXPECT_NE(fresh.data<double>(), buffer.data());
  EXPECT_EQ(buffer[12345], 3.0);
}

TEST(OneShapeType, ShapeVectorAndBracedListAreAcceptedAlike) {
  const std::vector<std::int64_t> sizes{2, 3};
  const Tensor x = zeros(sizes);
  EXPECT_EQ(x.shape(), Shape({2, 3}));
  EXPECT_EQ(x.reshape(x.shape()).shape(), x.shape());
  EXPECT_EQ(x.reshape({3, -1}).shape(), Shape({3, 2}));
  EXPECT_EQ(x.reshape(std::vector<std::int64_t>{6}).shape(), Shape({6}));
  EXPECT_EQ(x.view(Shape{1, 6}).shape(), Shape({1, 6}));
  EXPECT_EQ(x.permute(std::vector<std::int64_t>{1, 0}).shape(), Shape({3, 2}));
  EXPECT_EQ(randn(sizes).shape(), x.shape());
  EXPECT_EQ(full(x.shape(), 1.0).shape(), x.shape());
}

}  // namespace
}  // namespace lucid
