// DistributedSampler on its own (rank and world size are arguments): disjoint shards covering the
// data set once per epoch, a new deal every epoch, padding / drop_last for uneven sizes, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "tests/test_util.h"

namespace lucid::test {
namespace {

using distributed::DistributedSampler;

// Every rank's indices of `epoch`, concatenated and sorted.
std::vector<std::int64_t> all_shards(std::int64_t n, int world, std::int64_t epoch,
                                     distributed::DistributedSamplerOptions options = {}) {
  std::vector<std::int64_t> all;
  for (int r = 0; r < world; ++r) {
    const std::vector<std::int64_t> shard = DistributedSampler(n, world, r, options).indices(epoch);
    EXPECT_EQ(static_cast<std::int64_t>(shard.size()), DistributedSampler(n, world, r, options).size());
    all.insert(all.end(), shard.begin(), shard.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

TEST(DistributedSampler, ShardsCoverTheDataSetExactlyOncePerEpoch) {
  for (const int world : {1, 2, 3, 4}) {
    for (const bool shuffle : {true, false}) {
      std::vector<std::int64_t> expected(static_cast<std::size_t>(12 * world));
      for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<std::int64_t>(i);
      for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
        EXPECT_EQ(all_shards(12 * world, world, epoch, {.shuffle = shuffle}), expected) << world << " ranks";
      }
    }
  }
}

TEST(DistributedSampler, ShardsDifferBetweenEpochsAndSeedsAndRepeatForTheSame) {
  const DistributedSampler a(1000, 2, 1, {.seed = 3}), b(1000, 2, 1, {.seed = 4});
  EXPECT_NE(a.indices(0), a.indices(1));
  EXPECT_NE(a.indices(0), b.indices(0));
  EXPECT_EQ(a.indices(2), DistributedSampler(1000, 2, 1, {.seed = 3}).indices(2));
  EXPECT_EQ(DistributedSampler(6, 2, 1, {.shuffle = false}).indices(0), (std::vector<std::int64_t>{1, 3, 5}));
}

TEST(DistributedSampler, UnevenSizesPadOrDropSoThatShardsAreEqual) {
  // 10 samples on 4 ranks: padded to 12 (two samples twice), or cut to 8.
  EXPECT_EQ(DistributedSampler(10, 4, 3).size(), 3);
  EXPECT_EQ(DistributedSampler(10, 4, 3, {.drop_last = true}).size(), 2);
  EXPECT_EQ(DistributedSampler(10, 4, 3, {.shuffle = false}).indices(0), (std::vector<std::int64_t>{3, 7, 1}));
  const std::vector<std::int64_t> padded = all_shards(10, 4, 0);
  EXPECT_EQ(padded.size(), 12u);
  std::vector<std::int64_t> unique = padded;
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  EXPECT_EQ(unique.size(), 10u);
  const std::vector<std::int64_t> dropped = all_shards(10, 4, 0, {.drop_last = true});
  EXPECT_EQ(dropped.size(), 8u);
  EXPECT_EQ(std::adjacent_find(dropped.begin(), dropped.end()), dropped.end());
  EXPECT_TRUE(DistributedSampler(0, 2, 0).indices(0).empty());
}

TEST(DistributedSampler, RejectsBadArguments) {
  EXPECT_TRUE(contains(error_message<ValueError>([] { DistributedSampler(10, 2, 2); }), "rank (2) must be in [0, 2)"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { DistributedSampler(10, 0, 0); }), "world_size must be >= 1, got 0"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { DistributedSampler(-1, 1, 0); }), "dataset_size must be >= 0"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { DistributedSampler(4, 1, 0).indices(-1); }), "epoch must be >= 0"));
}

}  // namespace
}  // namespace lucid::test
