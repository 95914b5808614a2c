// Soak test: 10,000 training steps in all, on two std::threads that each train their own small model
// for 5,000 steps (one OpenMP thread each, so the two loops run side by side and share the process's
// allocator and lucid's storage recycler, framework/storage.cc). Model: Conv(1→16, 3×3) →
// GroupNorm(4, 16) → SiLU → Flatten → Linear(4096 → 10) on batches of 16 random 16×16 images, whose
// (16, 16, 16, 16) float32 activations are exactly 256 KiB, the recycler's threshold: the step's
// large buffers go through its cache.
// Both threads meet at a barrier after kSoakWarmupSteps and after their last step; there, with no step's
// tensors alive, the barrier's completion reads VmRSS and lucid::cached_memory(). Pass when, from
// warm-up to the end, resident memory grows by less than kSoakRssGrowthLimit and the cache by less than
// kSoakCacheGrowthLimit, 4 MiB each. A leaked step graph would keep GroupNorm's, SiLU's and Linear's
// saved activations, 3 × 256 KiB per step (3.3 GiB over the 4,500 measured steps of one thread, over 800
// times the limit); a cache that kept buffers without reusing them would grow by the step's large
// buffers every step until its 512 MiB cap (128 times the limit). Under AddressSanitizer freed memory sits
// in a quarantine, so only the cache is checked there, over 1,000 steps per thread: CI's sanitizer
// stage looks for memory errors and leaks, and the full soak would add its ASan slowdown to it.
#include <gtest/gtest.h>

#include <barrier>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

#include "lucid.h"
#include "tests/reliability/resident_memory.h"
#include "tests/scoped_thread_count.h"

namespace lucid::test {
namespace {

constexpr std::int64_t kSoakBatch = 16, kSoakChannels = 16, kSoakSide = 16, kSoakClasses = 10;
#if defined(__SANITIZE_ADDRESS__)
constexpr int kStepsPerThread = 1000;
#else
constexpr int kStepsPerThread = 5000;
#endif
constexpr int kSoakThreads = 2, kSoakWarmupSteps = 500, kSoakDistinctBatches = 4;
constexpr std::int64_t kSoakActivationBytes = kSoakBatch * kSoakChannels * kSoakSide * kSoakSide * std::int64_t{sizeof(float)};
constexpr std::int64_t kSoakRssGrowthLimit = std::int64_t{4} << 20, kSoakCacheGrowthLimit = std::int64_t{4} << 20;
static_assert(kSoakActivationBytes >= static_cast<std::int64_t>(Storage::kRecycleFrom),
              "the activations must be large enough for the recycler to keep them");

// Resident memory and the recycler's cache at one moment.
struct MemorySample {
  std::int64_t rss = -1, cache = -1;
};

// One thread's training loop: its own model (initialised from the default generator), optimizer,
// generator for its batches, and batches; arrives at `meet`
// after kSoakWarmupSteps and after the last step (and leaves it if a step throws, so the other thread
// does not wait forever).
template <typename Barrier>
void soak_training_loop(std::uint64_t seed, Barrier& meet) {
  const ScopedThreadCount single_thread(1);
  try {
    Generator generator(seed);
    nn::Sequential model(nn::Conv2d(1, kSoakChannels, 3, {.padding = {1, 1}}),
                         nn::GroupNorm(4, kSoakChannels), nn::SiLU(), nn::Flatten(),
                         nn::Linear(kSoakChannels * kSoakSide * kSoakSide, kSoakClasses));
    optim::AdamW optimizer(model.parameters(), {.lr = 1e-3});
    std::vector<data::Batch> batches;
    for (int i = 0; i < kSoakDistinctBatches; ++i) {
      batches.push_back({randn({kSoakBatch, 1, kSoakSide, kSoakSide}, float32, false, &generator),
                         (rand({kSoakBatch}, float32, false, &generator) * static_cast<double>(kSoakClasses)).to(int64)});
    }
    for (int step = 0; step < kStepsPerThread; ++step) {
      {
        const data::Batch& batch = batches[static_cast<std::size_t>(step % kSoakDistinctBatches)];
        optimizer.zero_grad();
        nn::functional::cross_entropy(model(batch.images), batch.targets).backward();
        optimizer.step();
      }
      if (step + 1 == kSoakWarmupSteps || step + 1 == kStepsPerThread) meet.arrive_and_wait();
    }
  } catch (...) {
    meet.arrive_and_drop();
    throw;
  }
}

TEST(Soak, TenThousandStepsOnTwoThreadsKeepResidentMemoryAndTheRecyclerCacheFlat) {
  std::vector<MemorySample> samples;  // at warm-up, at the end
  const auto sample = [&samples]() noexcept { samples.push_back({resident_bytes(), static_cast<std::int64_t>(cached_memory())}); };
  std::barrier meet(kSoakThreads, sample);
  std::vector<std::exception_ptr> errors(kSoakThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kSoakThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        soak_training_loop(static_cast<std::uint64_t>(100 + t), meet);
      } catch (...) {
        errors[static_cast<std::size_t>(t)] = std::current_exception();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }

  ASSERT_EQ(samples.size(), 2u);
  const MemorySample& warm = samples[0];
  const MemorySample& end = samples[1];
  ASSERT_GT(warm.rss, 0) << "no VmRSS in /proc/self/status";
  std::printf("[soak] %d threads x %d steps: after step %d VmRSS %.2f MiB, recycler cache %.2f MiB; after step %d "
              "VmRSS %.2f MiB (%+.1f KiB), cache %.2f MiB (%+.1f KiB); limits %.0f KiB each\n",
              kSoakThreads, kStepsPerThread, kSoakWarmupSteps, warm.rss / 1048576.0, warm.cache / 1048576.0,
              kStepsPerThread, end.rss / 1048576.0, (end.rss - warm.rss) / 1024.0, end.cache / 1048576.0,
              (end.cache - warm.cache) / 1024.0, kSoakRssGrowthLimit / 1024.0);
  EXPECT_GT(warm.cache, 0) << "the step's activations did not go through the recycler";
  EXPECT_LT(end.cache - warm.cache, kSoakCacheGrowthLimit);
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory resident: RSS growth not checked (the cache was)";
#else
  EXPECT_LT(end.rss - warm.rss, kSoakRssGrowthLimit);
#endif
}

}  // namespace
}  // namespace lucid::test
