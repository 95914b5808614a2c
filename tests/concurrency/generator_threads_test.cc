// Generators under threads (docs/THREADS.md): an explicit lucid::Generator gives the default
// generator's numbers for the same seed, through every random entry point (a DataLoader draws its
// shuffle seed from it); the default generator shared
// by several std::threads hands each call a whole, consecutive run of its stream (the draws of all
// threads together are the single-threaded stream, cut at call boundaries); and a Generator per thread
// gives each thread exactly the numbers it draws when run alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "lucid.h"
#include "tests/concurrency/run_in_threads.h"

namespace lucid::test {
namespace {

// Everything one seeded stream feeds: each random factory, an initialiser and a Dropout mask, from
// `generator` (or the default generator when it is null).
std::vector<double> draw_everything(Generator* generator) {
  std::vector<double> out;
  const auto append = [&out](const Tensor& t) {
    const std::vector<double> v = t.to(float64).to_vector<double>();
    out.insert(out.end(), v.begin(), v.end());
  };
  append(randn({5, 3}, float32, false, generator));
  append(rand({7}, float64, false, generator));
  append(randint(-3, 9, {6}, int64, generator));
  append(randperm(10, int64, generator));
  Tensor w = zeros({4, 3});
  nn::init::kaiming_uniform_(w, 0.0, "fan_in", "leaky_relu", generator);
  append(w);
  nn::Dropout dropout(0.5, {.generator = generator});
  append(dropout(ones({16})));
  return out;
}

// The first epoch's order of a shuffled DataLoader over 8 samples with these options.
std::vector<std::int64_t> first_shuffled_order(const data::DataLoaderOptions& options) {
  return data::DataLoader({arange(8.0), arange(8.0, int64)}, options).order(0);
}

TEST(GeneratorThreads, AnExplicitGeneratorGivesTheDefaultGeneratorsNumbersForTheSameSeed) {
  manual_seed(1234);
  const std::vector<double> from_default = draw_everything(nullptr);
  Generator generator(1234);
  EXPECT_EQ(draw_everything(&generator), from_default);
  generator.seed(1234);
  EXPECT_EQ(draw_everything(&generator), from_default);
}

TEST(GeneratorThreads, ADataLoaderDrawsItsShuffleSeedFromItsGenerator) {
  Generator generator(77), same(77);
  EXPECT_EQ(first_shuffled_order({.shuffle = true, .generator = &generator}),
            first_shuffled_order({.shuffle = true, .seed = same.next_u64()}));
  EXPECT_EQ(generator.next_u64(), same.next_u64());  // one draw each
  const data::DataLoader loader({arange(8.0), arange(8.0, int64)}, {.shuffle = true, .generator = &generator});
  EXPECT_EQ(loader.options().seed, same.next_u64());
  EXPECT_EQ(loader.options().generator, nullptr);  // read only by the constructor
}

TEST(GeneratorThreads, TheDefaultGeneratorGivesEachCallAWholeRunOfItsStream) {
  // randn of an even size uses whole Box–Muller pairs, so each call's run starts and ends on a pair.
  constexpr std::size_t kThreads = 4, kCallsPerThread = 25;
  const Shape shape{2, 32};
  manual_seed(99);
  std::vector<std::vector<float>> alone;
  for (std::size_t i = 0; i < kThreads * kCallsPerThread; ++i) alone.push_back(randn(shape).to_vector<float>());

  manual_seed(99);
  const auto per_thread = run_in_threads<std::vector<std::vector<float>>>(kThreads, [&](std::size_t) {
    std::vector<std::vector<float>> mine;
    for (std::size_t i = 0; i < kCallsPerThread; ++i) mine.push_back(randn(shape).to_vector<float>());
    return mine;
  });
  std::vector<std::vector<float>> together;
  for (const auto& mine : per_thread) together.insert(together.end(), mine.begin(), mine.end());
  std::sort(alone.begin(), alone.end());
  std::sort(together.begin(), together.end());
  EXPECT_EQ(together, alone);
}

TEST(GeneratorThreads, AGeneratorPerThreadGivesTheNumbersOfTheSameWorkRunAlone) {
  constexpr std::size_t kThreads = 4;
  std::vector<std::vector<double>> alone;
  for (std::size_t i = 0; i < kThreads; ++i) {
    Generator generator(500 + i);
    alone.push_back(draw_everything(&generator));
    for (const std::int64_t j : first_shuffled_order({.shuffle = true, .generator = &generator})) {
      alone.back().push_back(static_cast<double>(j));
    }
  }
  const auto together = run_in_threads<std::vector<double>>(kThreads, [](std::size_t i) {
    Generator generator(500 + i);
    std::vector<double> out;
    for (int repeat = 0; repeat < 3; ++repeat) {  // interleave with the other threads' draws
      generator.seed(500 + i);
      out = draw_everything(&generator);
      for (const std::int64_t j : first_shuffled_order({.shuffle = true, .generator = &generator})) {
        out.push_back(static_cast<double>(j));
      }
      randn({64});  // and with draws from the default generator
    }
    return out;
  });
  for (std::size_t i = 0; i < kThreads; ++i) EXPECT_EQ(together[i], alone[i]) << "thread " << i;
}

}  // namespace
}  // namespace lucid::test
