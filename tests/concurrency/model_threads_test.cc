// Models under threads (docs/THREADS.md): separate models trained in separate std::threads (float32
// ones, whose products run on oneDNN, beside float64 ones on OpenBLAS) end with the parameters and
// losses of the same training run alone; one model in eval mode under no_grad
// serves concurrent forward calls with the outputs of calls made alone; grad mode is per thread.
// Each thread keeps lucid's default intra-op thread count, so OpenMP regions are entered from several
// std::threads at once (the TSan stage of .ci/run sets OMP_NUM_THREADS=1, see docs/THREADS.md).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "lucid.h"
#include "tests/concurrency/run_in_threads.h"

namespace lucid::test {
namespace {

// A small network with the example's kinds of layers (a GEMM-backed convolution, a fused GroupNorm →
// SiLU pair, dropout, a linear classifier), initialised from `generator`.
std::shared_ptr<nn::Sequential> make_small_network(Generator& generator) {
  auto net = std::make_shared<nn::Sequential>(nn::Conv2d(2, 4, 3, {.padding = 1}), nn::GroupNorm(2, 4), nn::SiLU(),
                                              nn::Dropout(0.2, {.generator = &generator}), nn::Flatten(),
                                              nn::Linear(4 * 6 * 6, 3));
  for (nn::Parameter& p : net->parameters()) nn::init::normal_(p, 0.0, 0.2, &generator);
  return net;
}

struct TrainingResult {
  std::vector<double> losses;
  std::vector<std::vector<double>> parameters;
};

// Two epochs of AdamW on a synthetic, shuffled dataset, everything random drawn from one seed. In
// float64 the products go through OpenBLAS instead of oneDNN.
TrainingResult train_small_network(std::uint64_t seed, DType dtype) {
  Generator generator(seed);
  const std::shared_ptr<nn::Sequential> net = make_small_network(generator);
  net->to(dtype);
  data::DataLoader loader({randn({24, 2, 6, 6}, dtype, false, &generator), randint(0, 3, {24}, int64, &generator)},
                          {.batch_size = 8, .shuffle = true, .generator = &generator});
  optim::AdamW optimizer(net->parameters(), {.lr = 1e-2});
  TrainingResult result;
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (const data::Batch& batch : loader) {
      optimizer.zero_grad();
      Tensor loss = nn::functional::cross_entropy((*net)(batch.images), batch.targets);
      loss.backward();
      optimizer.step();
      result.losses.push_back(loss.to(float64).item<double>());
    }
  }
  for (const nn::Parameter& p : net->parameters()) result.parameters.push_back(p.to(float64).to_vector<double>());
  return result;
}

TEST(ModelThreads, SeparateModelsTrainedInThreadsMatchTheSameTrainingRunAlone) {
  constexpr std::size_t kThreads = 4;
  const auto dtype_of_thread = [](std::size_t i) { return i % 2 == 0 ? float32 : float64; };
  std::vector<TrainingResult> alone;
  for (std::size_t i = 0; i < kThreads; ++i) alone.push_back(train_small_network(10 + i, dtype_of_thread(i)));
  const auto together = run_in_threads<TrainingResult>(
      kThreads, [&](std::size_t i) { return train_small_network(10 + i, dtype_of_thread(i)); });
  for (std::size_t i = 0; i < kThreads; ++i) {
    EXPECT_EQ(together[i].losses, alone[i].losses) << "thread " << i;
    EXPECT_EQ(together[i].parameters, alone[i].parameters) << "thread " << i;
  }
}

TEST(ModelThreads, OneModelInEvalModeServesConcurrentForwardCallsUnderNoGrad) {
  constexpr std::size_t kThreads = 4, kCallsPerThread = 5;
  Generator generator(7);
  const std::shared_ptr<nn::Sequential> net = make_small_network(generator);
  net->eval();
  std::vector<Tensor> inputs;
  for (std::size_t i = 0; i < kThreads; ++i) inputs.push_back(randn({3, 2, 6, 6}, float32, false, &generator));
  std::vector<std::vector<float>> alone;
  {
    autograd::no_grad guard;
    for (const Tensor& x : inputs) alone.push_back((*net)(x).to_vector<float>());
  }
  const auto together = run_in_threads<std::vector<std::vector<float>>>(kThreads, [&](std::size_t i) {
    autograd::no_grad guard;
    std::vector<std::vector<float>> outputs;
    for (std::size_t call = 0; call < kCallsPerThread; ++call) outputs.push_back((*net)(inputs[i]).to_vector<float>());
    return outputs;
  });
  for (std::size_t i = 0; i < kThreads; ++i) {
    for (std::size_t call = 0; call < kCallsPerThread; ++call) {
      EXPECT_EQ(together[i][call], alone[i]) << "thread " << i << ", call " << call;
    }
  }
}

TEST(ModelThreads, GradModeIsPerThread) {
  autograd::no_grad guard;  // on this thread only
  const auto recorded = run_in_threads<int>(2, [](std::size_t i) -> int {
    const Tensor x = ones({2}, float32, /*requires_grad=*/true);
    if (i == 1) {
      autograd::no_grad inner;
      return (x * 2.0).requires_grad();
    }
    return autograd::is_grad_enabled() && (x * 2.0).requires_grad();
  });
  EXPECT_TRUE(recorded[0]);   // a new thread starts with grad mode on
  EXPECT_FALSE(recorded[1]);  // its own no_grad
  EXPECT_FALSE(autograd::is_grad_enabled());
  EXPECT_FALSE((ones({2}, float32, true) * 2.0).requires_grad());
}

}  // namespace
}  // namespace lucid::test
