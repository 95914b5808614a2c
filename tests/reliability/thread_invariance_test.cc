// Thread invariance op by op: each layer of the Fashion-MNIST model, at the example's shapes, gives
// bit-identical outputs and gradients on 1 and on 2 threads. The determinism test of the whole
// training run (tests/examples/determinism_test.cc) says that something differs; these say which op.
// The matmul cases are the classifier's products, whose K-sums (up to 3136 terms) would depend on the
// thread count if the GEMM library split them itself: lucid cuts each product into a grid of blocks
// fixed by the shape, one single-threaded GEMM call per block (framework/kernels/matmul.cc), with or
// without transpose flags (mm, which Linear and matmul's backward use).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/scoped_thread_count.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

namespace F = nn::functional;

// The op's output and the gradients of sum(output · r) for its inputs, r a fixed random tensor.
std::vector<std::vector<float>> run(const std::function<Tensor(const std::vector<Tensor>&)>& op,
                                    const std::vector<Shape>& input_shapes, int threads) {
  const ScopedThreadCount thread_count(threads);
  manual_seed(11);
  std::vector<Tensor> inputs;
  for (const Shape& shape : input_shapes) inputs.push_back(randn(shape, float32, /*requires_grad=*/true));
  const Tensor y = op(inputs);
  const Tensor r = randn(y.shape());
  (y * r).sum().backward();
  std::vector<std::vector<float>> results{y.to_vector<float>()};
  for (const Tensor& input : inputs) results.push_back(input.grad().to_vector<float>());
  return results;
}

void expect_thread_count_invariant(const std::function<Tensor(const std::vector<Tensor>&)>& op,
                                   const std::vector<Shape>& input_shapes) {
  const auto one = run(op, input_shapes, 1), two = run(op, input_shapes, 2);
  ASSERT_EQ(one.size(), two.size());
  for (std::size_t t = 0; t < one.size(); ++t) {
    expect_bit_identical_on_one_and_two_threads(
        one[t], two[t], t == 0 ? "the output" : "the gradient of input " + std::to_string(t - 1));
  }
}

TEST(ThreadInvariance, MatmulAtTheClassifierShapes) {
  // (32, 10)·(10, 3136): the classifier's input gradient, an untransposed product with β = 0.
  expect_thread_count_invariant([](const auto& in) { return matmul(in[0], in[1]); },
                                              {{32, 10}, {10, 3136}});
  expect_thread_count_invariant([](const auto& in) { return matmul(in[0], in[1]); },
                                              {{128, 3136}, {3136, 10}});
}

TEST(ThreadInvariance, MmWithTransposeFlagsAtTheClassifierShapes) {
  expect_thread_count_invariant([](const auto& in) { return mm(in[0], in[1], true, false); },
                                {{3136, 128}, {3136, 10}});
  expect_thread_count_invariant([](const auto& in) { return mm(in[0], in[1], true, true); },
                                {{3136, 128}, {10, 3136}});
}

TEST(ThreadInvariance, LinearAtTheClassifierShape) {
  expect_thread_count_invariant([](const auto& in) { return F::linear(in[0], in[1], in[2]); },
                                              {{128, 3136}, {10, 3136}, {10}});
}

TEST(ThreadInvariance, Conv2dAtTheExampleShapes) {
  const F::Conv2dParams same{.padding = {1, 1}};
  expect_thread_count_invariant(
      [&](const auto& in) { return F::conv2d(in[0], in[1], in[2], same); }, {{8, 1, 28, 28}, {32, 1, 3, 3}, {32}});
  expect_thread_count_invariant(
      [&](const auto& in) { return F::conv2d(in[0], in[1], in[2], same); }, {{8, 32, 14, 14}, {64, 32, 3, 3}, {64}});
}

// oneDNN's convolution primitives (inputs of 4 or more channels, but for 1×1 stride-1 unpadded
// kernels): samples in chunks of 8, one single-threaded call per chunk, dW summed over the chunks in
// order. 20 samples: two full chunks and a partial one, so two threads split them unevenly.
TEST(ThreadInvariance, Conv2dOnOnednnPrimitives) {
  const F::Conv2dParams same{.padding = {1, 1}};
  expect_thread_count_invariant(
      [&](const auto& in) { return F::conv2d(in[0], in[1], in[2], same); }, {{20, 16, 14, 14}, {32, 16, 3, 3}, {32}});
  const F::Conv2dParams down{.stride = {2, 2}, .padding = {1, 1}};
  expect_thread_count_invariant(
      [&](const auto& in) { return F::conv2d(in[0], in[1], in[2], down); }, {{20, 8, 15, 15}, {16, 8, 3, 3}, {16}});
  const F::Conv2dParams strided{.stride = {2, 2}};
  expect_thread_count_invariant([&](const auto& in) { return F::conv2d(in[0], in[1], in[2], strided); },
                                {{20, 32, 7, 7}, {16, 32, 1, 1}, {16}});
  const F::Conv2dParams depthwise{.padding = {1, 1}, .groups = 16};
  expect_thread_count_invariant([&](const auto& in) { return F::conv2d(in[0], in[1], in[2], depthwise); },
                                {{20, 16, 12, 12}, {16, 1, 3, 3}, {16}});
}

TEST(ThreadInvariance, GroupNormAtTheExampleShape) {
  expect_thread_count_invariant(
      [](const auto& in) { return F::group_norm(in[0], 8, in[1], in[2]); }, {{16, 64, 14, 14}, {64}, {64}});
}

TEST(ThreadInvariance, PoolingAndCrossEntropyAtTheExampleShapes) {
  expect_thread_count_invariant([](const auto& in) { return F::max_pool2d(in[0], {.kernel_size = {2, 2}, .stride = {2, 2}}); },
                                              {{16, 32, 28, 28}});
  const Tensor targets = full({128}, 3.0, int64);  // class indices
  expect_thread_count_invariant(
      [&](const auto& in) { return F::cross_entropy(in[0], targets); }, {{128, 10}});
}

}  // namespace
}  // namespace lucid::test
