// argmax/argmin, index_select and gather: values against hand-written index arithmetic, gradients by
// float64 central differences (gradcheck, gradgradcheck), and the errors for bad indices.
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using Inputs = std::vector<Tensor>;

Tensor ids(std::vector<std::int64_t> values, Shape shape = {}) {
  if (shape.size() == 0) shape = Shape{static_cast<std::int64_t>(values.size())};
  return tensor(values, shape);
}

std::vector<std::int64_t> as_ids(const Tensor& t) {
  EXPECT_EQ(t.dtype(), int64);
  return t.to_vector<std::int64_t>();
}

TEST(ArgExtremes, AlongADimensionFirstOnTiesNaNWins) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // [[1, 5, 5],
  //  [7, 0, 7]]
  const Tensor x = tensor(std::vector<double>{1, 5, 5, 7, 0, 7}, {2, 3});
  EXPECT_EQ(as_ids(x.argmax(1)), (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(as_ids(x.argmin(1)), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(as_ids(x.argmax(0)), (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(as_ids(x.argmin(-2)), (std::vector<std::int64_t>{0, 1, 0}));
  EXPECT_EQ(x.argmax(1, /*keepdim=*/true).shape(), (Shape{2, 1}));
  EXPECT_EQ(x.argmax(1).shape(), (Shape{2}));
  EXPECT_EQ(as_ids(x.argmax()), (std::vector<std::int64_t>{3}));  // flattened
  EXPECT_EQ(x.argmax().dim(), 0);
  EXPECT_EQ(as_ids(x.to(float32).argmin()), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(as_ids(ids({4, 9, 9, -1}).argmax(0)), (std::vector<std::int64_t>{1}));
  // PyTorch: a NaN is the extreme both ways (the first NaN).
  const Tensor with_nan = tensor(std::vector<double>{1, nan, 3, nan}, {4});
  EXPECT_EQ(as_ids(with_nan.argmax(0)), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(as_ids(with_nan.argmin(0)), (std::vector<std::int64_t>{1}));
  // A 0-d tensor: index 0 for dim 0 or -1.
  EXPECT_EQ(as_ids(full({}, 2.0).argmax(0)), (std::vector<std::int64_t>{0}));
  EXPECT_THROW(full({}, 2.0).argmax(1), ValueError);
  EXPECT_TRUE(contains(error_message<ValueError>([] { zeros({2, 0}).argmax(1); }), "argmax: dimension 1 of shape (2, 0) is empty"));
  EXPECT_THROW(x.argmax(2), ValueError);
}

TEST(IndexSelect, SelectsRowsAndColumnsWithRepeats) {
  const Tensor x = arange(0, 12, 1, float64).reshape({3, 4});  // x[i, j] = 4i + j
  expect_values_near(x.index_select(0, ids({2, 0, 2})), {3, 4}, {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, 0.0);
  expect_values_near(x.index_select(1, ids({3, 1})), {3, 2}, {3, 1, 7, 5, 11, 9}, 0.0);
  expect_values_near(x.index_select(-1, ids({0})), {3, 1}, {0, 4, 8}, 0.0);
  expect_values_near(x.index_select(0, ids({})), {0, 4}, {}, 0.0);
  expect_values_near(x.index_select(0, full({}, 1, int64)), {1, 4}, {4, 5, 6, 7}, 0.0);  // 0-d index
  EXPECT_EQ(as_ids(ids({5, 6, 7}).index_select(0, ids({2, 2}))), (std::vector<std::int64_t>{7, 7}));
}

TEST(IndexSelect, GradientsAccumulateOverRepeatedIndices) {
  const Tensor index = ids({1, 3, 1, 0});
  for (std::int64_t dim : {0, 1, 2}) {
    EXPECT_GRADCHECK([&](const Inputs& in) { return in[0].index_select(dim, index).tanh(); },
                     {randn({4, 4, 4}, float64, true)});
    EXPECT_GRADGRADCHECK([&](const Inputs& in) { return in[0].index_select(dim, index).tanh(); },
                         {randn({4, 4, 4}, float64, true)});
  }
  // Row 1 is selected twice: its gradient is 2.
  const Tensor x = zeros({4, 2}, float32, true);
  x.index_select(0, index).sum().backward();
  expect_values_near(x.grad(), {4, 2}, {1, 1, 2, 2, 0, 0, 1, 1}, 0.0);
}

TEST(Gather, PicksAlongADimension) {
  const Tensor x = arange(0, 12, 1, float64).reshape({3, 4});
  // out[i][j] = x[i][index[i][j]]
  expect_values_near(x.gather(1, ids({3, 0, 1, 1, 2, 3}, {3, 2})), {3, 2}, {3, 0, 5, 5, 10, 11}, 0.0);
  // out[i][j] = x[index[i][j]][j], index smaller than x along dim 1
  expect_values_near(x.gather(0, ids({2, 0, 1}, {1, 3})), {1, 3}, {8, 1, 6}, 0.0);
  // The log-likelihood of targets, as nll_loss would take it.
  const Tensor logp = tensor({-0.1, -2.0, -3.0, -0.5}, {2, 2});
  expect_values_near(logp.gather(1, ids({1, 0}, {2, 1})), {2, 1}, {-2.0, -3.0}, 1e-6);
}

TEST(Gather, GradientsScatterBack) {
  const Tensor index = ids({0, 2, 2, 1, 1, 1}, {2, 3});
  for (std::int64_t dim : {0, 1}) {
    EXPECT_GRADCHECK([&](const Inputs& in) { return in[0].gather(dim, index).exp(); }, {randn({3, 3}, float64, true)});
    EXPECT_GRADGRADCHECK([&](const Inputs& in) { return in[0].gather(dim, index).exp(); },
                         {randn({3, 3}, float64, true)});
  }
}

TEST(IndexErrors, NameTheOffendingIndex) {
  const Tensor x = zeros({3, 4});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { x.index_select(1, ids({0, 4})); }),
                       "index_select: index 4 (element 1 of the indices) is out of range for dimension 1 of size 4"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { x.index_select(0, ids({-1})); }), "index -1"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { x.index_select(0, tensor({1.0}, {1})); }),
                       "index_select: indices must be an int64 tensor, got float32"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { x.index_select(0, ids({0, 1}, {1, 2})); }), "0-d or 1-D"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { x.gather(1, ids({0, 5}, {1, 2})); }), "gather: index 5"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { x.gather(1, ids({0, 1}, {2})); }),
                       "gather: indices of shape (2,) do not fit input of shape (3, 4)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { x.gather(1, ids({0, 0, 0, 0}, {4, 1})); }), "do not fit"));
  // An index changed in place after the forward makes the backward raise, not mis-route gradients.
  const Tensor w = ones({3}, float32, true);
  Tensor index = ids({0, 1});
  const Tensor y = w.index_select(0, index).sum();
  index.fill_(2);
  EXPECT_THROW(y.backward(), RuntimeError);
}

}  // namespace
}  // namespace lucid::test
