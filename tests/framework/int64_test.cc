// int64 tensors: factories, printing, conversions, what they refuse (arithmetic, gradients), and
// the comparisons that produce masks. Expected values are closed form (integers, C++ truncation).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace lucid::test {
namespace {

std::string printed(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

Tensor ids(std::vector<std::int64_t> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  return tensor(values, {n});
}

TEST(Int64, FactoriesHoldExactIntegers) {
  const std::int64_t big = (std::int64_t{1} << 53) + 1;  // not a double
  const Tensor t = ids({3, -1, big});
  EXPECT_EQ(t.dtype(), int64);
  EXPECT_EQ(t.to_vector<std::int64_t>(), (std::vector<std::int64_t>{3, -1, big}));
  EXPECT_EQ(t.reshape({3, 1}).index_select(0, ids({2})).item<std::int64_t>(), big);
  EXPECT_EQ(zeros({2}, int64).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 0}));
  EXPECT_EQ(full({2}, -2.9, int64).to_vector<std::int64_t>(), (std::vector<std::int64_t>{-2, -2}));  // toward zero
  EXPECT_EQ(arange(0, 7, 3, int64).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 3, 6}));
  EXPECT_EQ(element_size(int64), 8u);
}

TEST(Int64, PrintsAsPyTorch) {
  EXPECT_EQ(printed(ids({3, 1, 4})), "tensor([3, 1, 4])");
  EXPECT_EQ(printed(tensor(std::vector<std::int64_t>{1, -2, 10, 3}, {2, 2})), "tensor([[ 1, -2],\n        [10,  3]])");
  EXPECT_EQ(printed(full({}, 7, int64)), "tensor(7)");
  EXPECT_EQ(printed(ids({std::numeric_limits<std::int64_t>::min()})), "tensor([-9223372036854775808])");
  EXPECT_EQ(printed(zeros({1}, float64)), "tensor([0.0000], dtype=float64)");
}

TEST(Int64, ConversionsTruncateTowardZeroAndRejectWhatInt64CannotHold) {
  const Tensor x = tensor(std::vector<double>{2.7, -2.7, 0.0, -0.5, 1e18}, {5});
  EXPECT_EQ(x.to(int64).to_vector<std::int64_t>(), (std::vector<std::int64_t>{2, -2, 0, 0, 1000000000000000000}));
  EXPECT_EQ(ids({5, -3}).to(float32).to_vector<float>(), (std::vector<float>{5.0F, -3.0F}));
  EXPECT_EQ(ids({(std::int64_t{1} << 53)}).to(float64).item<double>(), 0x1p53);
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (const double bad : {nan, inf, -inf, 0x1p63, -0x1p64}) {
    EXPECT_TRUE(contains(error_message<ValueError>([&] { tensor(std::vector<double>{0.0, bad}, {2}).to(int64); }),
                         "is not a number int64 can hold"))
        << bad;
  }
  EXPECT_EQ(tensor(std::vector<double>{-0x1p63}, {1}).to(int64).item<std::int64_t>(),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_TRUE(contains(error_message<ValueError>([&] { full({1}, nan, int64); }), "nan is not a number int64"));
}

TEST(Int64, NeverRequiresGrad) {
  EXPECT_TRUE(contains(error_message<RuntimeError>([] { ids({1}).requires_grad_(); }),
                       "only tensors of a floating-point dtype can require gradients, got int64"));
  EXPECT_THROW(tensor(std::vector<std::int64_t>{1}, {1}, /*requires_grad=*/true), RuntimeError);
  EXPECT_THROW(zeros({1}, int64, true), RuntimeError);
  // Converting a tensor that requires grad to int64 ends the graph, as PyTorch's .long() does.
  const Tensor x = tensor(std::vector<double>{1.5}, {1}, true);
  const Tensor i = (x * 2.0).to(int64);
  EXPECT_FALSE(i.requires_grad());
  EXPECT_EQ(i.grad_fn(), nullptr);
  EXPECT_EQ(i.item<std::int64_t>(), 3);
}

TEST(Int64, ArithmeticRaisesNamingTheOp) {
  const Tensor a = ids({1, 2});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { a + a; }), "got int64; convert with .to(lucid::float32)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { a.exp(); }), "got int64"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { a.sum(); }), "got int64"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { matmul(a.reshape({1, 2}), a.reshape({2, 1})); }), "got int64"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { randn({2}, int64); }), "randn: samples are float32 or float64"));
  // Moving data around works: reshape, permute, transpose, clone.
  const Tensor m = tensor(std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(m.transpose(0, 1).to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(m.clone().to_vector<std::int64_t>(), m.to_vector<std::int64_t>());
}

TEST(Comparisons, ValuesDtypesAndBroadcasting) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor a = tensor(std::vector<double>{1, 2, 3, nan}, {4});
  const Tensor b = tensor(std::vector<double>{3, 2, 1, nan}, {4});
  expect_values_near(a == b, {4}, {0, 1, 0, 0}, 0.0);
  expect_values_near(a != b, {4}, {1, 0, 1, 1}, 0.0);  // NaN != NaN
  expect_values_near(a < b, {4}, {1, 0, 0, 0}, 0.0);
  expect_values_near(a <= b, {4}, {1, 1, 0, 0}, 0.0);
  expect_values_near(a > b, {4}, {0, 0, 1, 0}, 0.0);
  expect_values_near(a >= b, {4}, {0, 1, 1, 0}, 0.0);
  expect_values_near(a >= 2.0, {4}, {0, 1, 1, 0}, 0.0);
  EXPECT_EQ((a < b).dtype(), float64);  // a floating operand's dtype: masks multiply directly
  EXPECT_EQ((a.to(float32) < 2.0).dtype(), float32);
  // int64 operands give float32 masks; a double operand compares as double (2 < 2.5).
  const Tensor i = ids({1, 2, 3});
  const Tensor mask = i < 2.5;
  EXPECT_EQ(mask.dtype(), float32);
  expect_values_near(mask, {3}, {1, 1, 0}, 0.0);
  expect_values_near(i.eq(ids({1, 0, 3})), {3}, {1, 0, 1}, 0.0);
  // Broadcasting (2, 1) against (3,).
  expect_values_near(gt(tensor({1.0, 2.0}, {2, 1}), tensor({0.0, 1.5, 3.0}, {3})), {2, 3}, {1, 0, 0, 1, 1, 0}, 0.0);
  // Accuracy the way a training loop counts it.
  const Tensor logits = tensor({0.1, 0.9, 0.8, 0.2, 0.3, 0.7}, {3, 2});
  EXPECT_EQ((logits.argmax(1) == ids({1, 0, 0})).sum().item(), 2.0);
  // int64 against float64 compares in float64 (PyTorch's promotion): (1, 2, 3) == (1, 2, 3, NaN)[:3].
  const Tensor promoted = i == a.index_select(0, ids({0, 1, 2}));
  EXPECT_EQ(promoted.dtype(), float64);
  expect_values_near(promoted, {3}, {1, 1, 1}, 0.0);
  const Tensor leaf = tensor(std::vector<double>{1, 2}, {2}, /*requires_grad=*/true);
  EXPECT_FALSE((leaf > 1.5).requires_grad());  // a constant to the graph
}

}  // namespace
}  // namespace lucid::test
