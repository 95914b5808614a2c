// Tensor: dtype conversion, element access, views that share storage, in-place updates, threads.
#include <gtest/gtest.h>

#include <vector>

#include "lucid.h"
#include "tests/test_util.h"

namespace lucid {
namespace {

using test::contains;
using test::error_message;
using test::expect_values_near;

TEST(Tensor, DefaultConstructedIsUndefined) {
  const Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_THROW(t.shape(), ValueError);
  EXPECT_TRUE(tensor({1}, {1}).defined());
}

TEST(Tensor, ToConvertsTheDtype) {
  const Tensor x = tensor({0.5, -1.25, 3.0}, {3});
  const Tensor y = x.to(float64);
  EXPECT_EQ(y.dtype(), float64);
  EXPECT_EQ(y.shape(), x.shape());
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{0.5, -1.25, 3.0}));
  // float64 → float32 rounds to nearest: 0.1 becomes the float closest to 0.1.
  const Tensor z = tensor(std::vector<double>{0.1, 1e-50}, {2}).to(float32);
  EXPECT_EQ(z.dtype(), float32);
  EXPECT_EQ(z.to_vector<float>(), (std::vector<float>{0.1f, 0.0f}));
  // Same dtype: the tensor itself.
  EXPECT_EQ(x.to(float32).impl(), x.impl());
}

TEST(Tensor, ToDoesNotShareStorage) {
  const Tensor x = tensor({1, 2}, {2});
  Tensor y = x.to(float64);
  y.fill_(7.0);
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{1, 2}));
}

TEST(Tensor, DataWithTheWrongTypeThrows) {
  const Tensor f = zeros({2}, float32);
  const Tensor d = zeros({2}, float64);
  EXPECT_NO_THROW(f.data<float>());
  EXPECT_NO_THROW(d.data<double>());
  const std::string msg = error_message<ValueError>([&] { d.data<float>(); });
  EXPECT_TRUE(contains(msg, "float32"));
  EXPECT_TRUE(contains(msg, "float64"));
  EXPECT_THROW(f.data<double>(), ValueError);
}

TEST(Tensor, ToVectorConvertsElements) {
  const Tensor x = tensor(std::vector<double>{1.0 / 3.0, 2.0}, {2});
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{1.0f / 3.0f, 2.0f}));
}

TEST(Tensor, ItemReadsTheSingleElement) {
  EXPECT_EQ(tensor({2.5}, {1}).item(), 2.5);
  EXPECT_EQ(tensor(std::vector<double>{-4.0}, {1, 1, 1}).item<float>(), -4.0f);
  EXPECT_EQ(scalar_tensor(0.25, float64).item(), 0.25);
  const std::string msg = error_message<ValueError>([] { zeros({2, 3}).item(); });
  EXPECT_TRUE(contains(msg, "(2, 3)"));
  EXPECT_THROW(zeros({0}).item(), ValueError);
}

TEST(Tensor, ReshapeSharesStorage) {
  Tensor x = arange(6, float64);
  Tensor y = x.reshape({2, 3});
  EXPECT_EQ(y.shape(), Shape({2, 3}));
  EXPECT_EQ(y.data<double>(), x.data<double>());
  y.data<double>()[4] = 40.0;  // write through the view ...
  EXPECT_EQ(x.to_vector<double>()[4], 40.0);  // ... read through the original
  x.data<double>()[0] = -1.0;  // and the other way round
  EXPECT_EQ(y.to_vector<double>()[0], -1.0);
  Tensor v = y.view({3, 2});
  v.fill_(9.0);
  expect_values_near(x, {6}, std::vector<double>(6, 9.0), 0.0);
}

TEST(Tensor, ReshapeInfersOneDimension) {
  const Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(x.reshape({-1}).shape(), Shape{24});
  EXPECT_EQ(x.reshape({4, -1}).shape(), Shape({4, 6}));
  EXPECT_EQ(x.reshape({-1, 2, 3}).shape(), Shape({4, 2, 3}));
  EXPECT_EQ(x.reshape({24, 1, -1}).shape(), Shape({24, 1, 1}));
  EXPECT_EQ(tensor({5}, {1}).reshape({}).shape(), Shape{});
  EXPECT_EQ(zeros({0, 4}).reshape({-1, 2}).shape(), Shape({0, 2}));
}

TEST(Tensor, ReshapeErrorsNameTheShapes) {
  const Tensor x = zeros({2, 3});
  const std::string msg = error_message<ValueError>([&] { x.reshape({4, 2}); });
  EXPECT_TRUE(contains(msg, "(2, 3)"));
  EXPECT_TRUE(contains(msg, "[4, 2]"));
  EXPECT_THROW(x.reshape({-1, -1}), ValueError);  // two inferred dimensions
  EXPECT_THROW(x.reshape({4, -1}), ValueError);   // 6 is not a multiple of 4
  EXPECT_THROW(x.reshape({-2, -3}), ValueError);  // negative sizes other than -1
  EXPECT_THROW(x.reshape({0, -1}), ValueError);   // -1 next to 0 is ambiguous
  EXPECT_THROW(x.reshape({7}), ValueError);
}

TEST(Tensor, FillAndZero) {
  Tensor x = zeros({2, 2}, float64);
  x.fill_(3.5);
  expect_values_near(x, {2, 2}, std::vector<double>(4, 3.5), 0.0);
  x.zero_();
  expect_values_near(x, {2, 2}, std::vector<double>(4, 0.0), 0.0);
}

TEST(Tensor, CopyConvertsIntoTheDestinationDtype) {
  Tensor dst = zeros({3}, float32);
  const Tensor src = tensor(std::vector<double>{1.5, -2.0, 0.1}, {3});
  dst.copy_(src);
  EXPECT_EQ(dst.dtype(), float32);
  EXPECT_EQ(dst.to_vector<float>(), (std::vector<float>{1.5f, -2.0f, 0.1f}));
  Tensor dst64 = zeros({3}, float64);
  dst64.copy_(dst);
  EXPECT_EQ(dst64.to_vector<double>()[2], static_cast<double>(0.1f));
}

TEST(Tensor, CopyIntoAViewWritesTheBase) {
  Tensor base = zeros({4});
  Tensor view = base.reshape({2, 2});
  view.copy_(tensor({1, 2, 3, 4}, {2, 2}));
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
}

TEST(Tensor, CopyShapeMismatchThrowsAndLeavesTheDestination) {
  Tensor dst = full({2, 2}, 5.0);
  const std::string msg = error_message<ValueError>([&] { dst.copy_(zeros({4})); });
  EXPECT_TRUE(contains(msg, "(4,)"));
  EXPECT_TRUE(contains(msg, "(2, 2)"));
  expect_values_near(dst, {2, 2}, std::vector<double>(4, 5.0), 0.0);
}

TEST(Tensor, CloneHasItsOwnStorage) {
  const Tensor x = tensor({1, 2, 3}, {3});
  Tensor c = x.clone();
  EXPECT_NE(c.data<float>(), x.data<float>());
  c.fill_(0.0);
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{1, 2, 3}));
}

TEST(Tensor, DeviceIsCpu) {
  EXPECT_EQ(zeros({1}).device().str(), "cpu");
  EXPECT_NO_THROW(Device("cpu"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { Device("cuda"); }), "cuda"));
}

TEST(Threads, SetNumThreads) {
  const int before = get_num_threads();
  set_num_threads(2);
  EXPECT_EQ(get_num_threads(), 2);
  set_num_threads(before);
  EXPECT_EQ(get_num_threads(), before);
}

TEST(Threads, NonPositiveThreadCountThrows) {
  const int before = get_num_threads();
  const std::string msg = error_message<ValueError>([] { set_num_threads(0); });
  EXPECT_TRUE(contains(msg, "0"));
  EXPECT_THROW(set_num_threads(-3), ValueError);
  EXPECT_EQ(get_num_threads(), before);  // unchanged by the failed calls
}

}  // namespace
}  // namespace lucid
