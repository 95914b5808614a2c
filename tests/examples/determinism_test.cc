// Determinism of training: the Fashion-MNIST example trained with the same seed on 1 and on 2 threads
// gives bit-identical losses at every step and bit-identical final parameters (framework/threading.h:
// every reduction has a fixed order, so the thread count never changes a result). The run is the
// example's own code (make_model, train_epoch, AdamW with lr 2e-3, a shuffled DataLoader seeded like
// main.cc's), for 50 steps on the first 1,600 training images in batches of 32 instead of the
// example's 128, so that both runs together take about 2 s in an optimised build.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "examples/fashion_mnist/model.h"
#include "examples/fashion_mnist/train.h"
#include "lucid.h"
#include "tests/scoped_thread_count.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

constexpr std::int64_t kSteps = 50;
constexpr std::int64_t kBatchSize = 32;
constexpr std::uint64_t kSeed = 7;

// What a run leaves behind: every step's batch loss and the parameters after the last step.
struct TrainingRun {
  std::vector<double> losses;
  std::vector<std::pair<std::string, std::vector<float>>> parameters;
};

TrainingRun train_with_threads(const data::Dataset& train, int threads) {
  const ScopedThreadCount thread_count(threads);
  EXPECT_EQ(get_num_threads(), threads);
  manual_seed(kSeed);
  const auto model = fashion_mnist::make_model();
  optim::AdamW optimizer(model->parameters(), {.lr = 2e-3});
  data::DataLoader loader(train, {.batch_size = kBatchSize, .shuffle = true, .seed = kSeed});
  TrainingRun run;
  fashion_mnist::train_epoch(*model, optimizer, loader, nullptr,
                             [&](std::int64_t, const fashion_mnist::PassResult& batch) { run.losses.push_back(batch.loss); });
  for (const auto& [name, parameter] : model->named_parameters()) {
    run.parameters.emplace_back(name, parameter.to_vector<float>());
  }
  return run;
}

double mean(const std::vector<double>& v, std::size_t first, std::size_t count) {
  double sum = 0.0;
  for (std::size_t i = first; i < first + count; ++i) sum += v[i];
  return sum / static_cast<double>(count);
}

TEST(Determinism, FashionMnistTrainingIsBitIdenticalOnOneAndTwoThreads) {
  const std::filesystem::path dir = data::kFashionMnistDir;
  if (!std::filesystem::exists(dir / "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << dir << " is not installed (Debian dataset-fashion-mnist)";
  }
  const data::Dataset train = data::load_fashion_mnist(dir, true, kSteps * kBatchSize);
  const TrainingRun one = train_with_threads(train, 1);
  const TrainingRun two = train_with_threads(train, 2);

  // The runs must be real training, or two equally broken runs would pass: finite losses that start
  // near ln 10 (ten classes, a fresh model) and fall.
  ASSERT_EQ(one.losses.size(), static_cast<std::size_t>(kSteps));
  ASSERT_EQ(two.losses.size(), static_cast<std::size_t>(kSteps));
  for (double loss : one.losses) ASSERT_TRUE(std::isfinite(loss)) << loss;
  EXPECT_NEAR(one.losses.front(), std::log(10.0), 0.5);
  const double first_ten = mean(one.losses, 0, 10), last_ten = mean(one.losses, kSteps - 10, 10);
  EXPECT_LT(last_ten, 0.75 * first_ten) << "the loss did not fall";
  std::printf("[determinism] %lld steps: loss %.6f → %.6f (mean of the first ten %.4f, of the last ten %.4f)\n",
              static_cast<long long>(kSteps), one.losses.front(), one.losses.back(), first_ten, last_ten);

  for (std::size_t step = 0; step < one.losses.size(); ++step) {
    if (std::bit_cast<std::uint64_t>(one.losses[step]) != std::bit_cast<std::uint64_t>(two.losses[step])) {
      ADD_FAILURE() << "first differing loss at step " << step << ": " << one.losses[step] << " on 1 thread, "
                    << two.losses[step] << " on 2 threads (Δ " << two.losses[step] - one.losses[step] << ")";
      break;
    }
  }
  ASSERT_EQ(one.parameters.size(), two.parameters.size());
  for (std::size_t p = 0; p < one.parameters.size(); ++p) {
    const auto& [name, values] = one.parameters[p];
    expect_bit_identical_on_one_and_two_threads(values, two.parameters[p].second, "parameter " + name);
  }
}

}  // namespace
}  // namespace lucid::test
