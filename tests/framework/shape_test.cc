// Shape: printing, element counts, validation, dimension normalisation and broadcasting.
#include <gtest/gtest.h>

#include <limits>
#include <sstream>
#include <vector>

#include "lucid.h"
#include "tests/test_util.h"

namespace lucid {
namespace {

using test::contains;
using test::error_message;

std::string printed(const Shape& s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

TEST(Shape, PrintsLikeAPythonTuple) {
  EXPECT_EQ(printed(Shape{4, 32, 64, 64}), "(4, 32, 64, 64)");
  EXPECT_EQ(printed(Shape{4}), "(4,)");
  EXPECT_EQ(printed(Shape{}), "()");
  EXPECT_EQ(Shape({2, 0}).str(), "(2, 0)");
}

TEST(Shape, NumelIsTheProductOfTheSizes) {
  EXPECT_EQ(Shape({4, 32, 64, 64}).numel(), 4 * 32 * 64 * 64);
  EXPECT_EQ(Shape{7}.numel(), 7);
  EXPECT_EQ(Shape{}.numel(), 1);  // a 0-d tensor holds one value
  EXPECT_EQ(Shape({3, 0, 5}).numel(), 0);
}

TEST(Shape, DimAndIndexing) {
  const Shape s{2, 3, 5};
  EXPECT_EQ(s.dim(), 3);
  EXPECT_EQ(s[0], 2);
  EXPECT_EQ(s[2], 5);
  EXPECT_EQ(s[-1], 5);
  EXPECT_EQ(s[-3], 2);
  EXPECT_EQ(Shape{}.dim(), 0);
}

TEST(Shape, EqualityComparesEveryDimension) {
  EXPECT_EQ(Shape({2, 3}), Shape({2, 3}));
  EXPECT_NE(Shape({2, 3}), Shape({3, 2}));
  EXPECT_NE(Shape({2, 3}), Shape({2, 3, 1}));
  EXPECT_NE(Shape{}, Shape{1});
}

TEST(Shape, NegativeDimensionIsRejected) {
  const std::string msg = error_message<ValueError>([] { Shape({4, -2, 3}); });
  EXPECT_TRUE(contains(msg, "-2"));
  EXPECT_THROW(Shape{-1}, ValueError);
  const std::vector<std::int64_t> dims{3, -7};
  EXPECT_THROW(Shape(dims.begin(), dims.end()), ValueError);
}

TEST(Shape, ValueErrorIsAnInvalidArgument) {
  EXPECT_THROW(Shape({-1}), std::invalid_argument);
}

TEST(Shape, ElementCountOverflowIsRejected) {
  const std::int64_t big = std::int64_t{1} << 40;
  EXPECT_THROW(Shape({big, big}), ValueError);
}

TEST(Shape, NormalizeDimMapsNegativeDimsFromTheEnd) {
  const Shape s{2, 3, 4};
  EXPECT_EQ(s.normalize_dim(0), 0u);
  EXPECT_EQ(s.normalize_dim(2), 2u);
  EXPECT_EQ(s.normalize_dim(-1), 2u);
  EXPECT_EQ(s.normalize_dim(-3), 0u);
}

TEST(Shape, NormalizeDimOutOfRangeNamesTheDimAndTheShape) {
  const Shape s{2, 3, 4};
  const std::string msg = error_message<ValueError>([&] { s.normalize_dim(3); });
  EXPECT_TRUE(contains(msg, "dimension 3"));
  EXPECT_TRUE(contains(msg, "(2, 3, 4)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { s.normalize_dim(-4); }), "-4"));
  EXPECT_THROW(s[5], ValueError);
  EXPECT_THROW(Shape{}.normalize_dim(0), ValueError);
}

TEST(Shape, ContiguousStridesAreRowMajor) {
  const Shape::Dims strides = Shape({2, 3, 4}).contiguous_strides();
  EXPECT_EQ(std::vector<std::int64_t>(strides.begin(), strides.end()), (std::vector<std::int64_t>{12, 4, 1}));
}

struct BroadcastCase {
  Shape a, b, expected;
};

class BroadcastShapes : public ::testing::TestWithParam<BroadcastCase> {};

TEST_P(BroadcastShapes, AlignsTrailingDimensions) {
  const BroadcastCase& c = GetParam();
  EXPECT_EQ(broadcast_shapes(c.a, c.b), c.expected);
  EXPECT_EQ(broadcast_shapes(c.b, c.a), c.expected);  // symmetric
}

INSTANTIATE_TEST_SUITE_P(Cases, BroadcastShapes,
                         ::testing::Values(BroadcastCase{{3, 1}, {1, 4}, {3, 4}},
                                           BroadcastCase{{2, 3, 4}, {4}, {2, 3, 4}},
                                           BroadcastCase{{5}, {}, {5}},
                                           BroadcastCase{{}, {}, {}},
                                           BroadcastCase{{2, 1, 3}, {5, 1}, {2, 5, 3}},
                                           BroadcastCase{{0, 1}, {1, 7}, {0, 7}},
                                           BroadcastCase{{2, 3}, {2, 3}, {2, 3}}));

TEST(Shape, BroadcastErrorNamesBothShapes) {
  const std::string msg = error_message<ValueError>([] { broadcast_shapes(Shape{2, 3}, Shape{4}); });
  EXPECT_TRUE(contains(msg, "(2, 3)"));
  EXPECT_TRUE(contains(msg, "(4,)"));
  EXPECT_THROW(broadcast_shapes(Shape{2, 3, 4}, Shape{3, 3}), ValueError);
}

}  // namespace
}  // namespace lucid
