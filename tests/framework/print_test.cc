// Printing of tensors in PyTorch's layout (4 decimals, aligned columns, summarised above 1000 elements).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "lucid.h"

namespace lucid {
namespace {

std::string printed(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

TEST(Print, Matrix2x2) {
  EXPECT_EQ(printed(tensor({1, 2, 3, 4}, {2, 2})),
            "tensor([[1.0000, 2.0000],\n"
            "        [3.0000, 4.0000]])");
}

TEST(Print, Float64ShowsItsDtype) {
  EXPECT_EQ(printed(tensor(std::vector<double>{1.5, -2, 0.25, 4}, {2, 2})),
            "tensor([[ 1.5000, -2.0000],\n"
            "        [ 0.2500,  4.0000]], dtype=float64)");
}

TEST(Print, VectorColumnsAreRightAligned) {
  EXPECT_EQ(printed(tensor({1, -2.5, 10}, {3})), "tensor([ 1.0000, -2.5000, 10.0000])");
}

TEST(Print, ZeroDimensional) {
  EXPECT_EQ(printed(scalar_tensor(3.5)), "tensor(3.5000)");
  EXPECT_EQ(printed(scalar_tensor(-0.125, float64)), "tensor(-0.1250, dtype=float64)");
}

TEST(Print, ThreeDimensionalBlocksAreSeparatedByABlankLine) {
  EXPECT_EQ(printed(tensor({1, 2, 3, 4}, {2, 1, 2})),
            "tensor([[[1.0000, 2.0000]],\n"
            "\n"
            "        [[3.0000, 4.0000]]])");
}

TEST(Print, RoundsToFourDecimals) {
  EXPECT_EQ(printed(tensor(std::vector<double>{0.123456, 2.0 / 3.0}, {2})),
            "tensor([0.1235, 0.6667], dtype=float64)");
}

TEST(Print, AutogradMetadata) {
  const Tensor x = tensor({1, 2}, {2}, /*requires_grad=*/true);
  EXPECT_EQ(printed(x), "tensor([1.0000, 2.0000], requires_grad=True)");
  EXPECT_EQ(printed(x * x), "tensor([1.0000, 4.0000], grad_fn=<MulBackward>)");
  const Tensor y = tensor(std::vector<double>{1}, {1}, true);
  EXPECT_EQ(printed(y + y), "tensor([2.0000], dtype=float64, grad_fn=<AddBackward>)");
  EXPECT_EQ(printed(x.detach()), "tensor([1.0000, 2.0000])");
}

TEST(Print, EmptyAndUndefined) {
  EXPECT_EQ(printed(zeros({0, 3})), "tensor([], size=(0, 3))");
  EXPECT_EQ(printed(zeros({0})), "tensor([])");
  EXPECT_EQ(printed(Tensor()), "tensor(undefined)");
}

TEST(Print, LongVectorIsSummarised) {
  EXPECT_EQ(printed(arange(2000)),
            "tensor([   0.0000,    1.0000,    2.0000, ..., 1997.0000, 1998.0000, 1999.0000])");
  // 1000 elements are still printed whole.
  const std::string whole = printed(zeros({1000}));
  EXPECT_EQ(whole.find("..."), std::string::npos);
  EXPECT_EQ(std::count(whole.begin(), whole.end(), ','), 999);
}

TEST(Print, LargeMatrixShowsThreeEdgeRowsAndColumns) {
  const std::string s = printed(zeros({40, 40}));
  std::istringstream lines(s);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 7u);  // 3 rows, "...,", 3 rows
  EXPECT_EQ(rows[3], "        ...,");
  for (int r : {0, 1, 2, 4, 5, 6}) {
    const std::string& row = rows[static_cast<std::size_t>(r)];
    EXPECT_NE(row.find("0.0000, 0.0000, 0.0000, ..., 0.0000, 0.0000, 0.0000]"), std::string::npos) << row;
  }
}

}  // namespace
}  // namespace lucid
