// DistributedSampler: each rank's shard of a data set, for a DataLoader (DataLoaderOptions::sampler).
// Every epoch draws one permutation of the whole data set from (seed, epoch), the same on every
// rank, and deals it out like cards: rank r takes positions r, r + W, r + 2W, ... (W ranks). So the
// shards of an epoch are disjoint, together cover the data set exactly once when W divides its
// size, and change from epoch to epoch (DataLoader::set_epoch / each new pass).
//
//   auto sampler = std::make_shared<lucid::distributed::DistributedSampler>(train.size(), world, rank);
//   lucid::data::DataLoader loader(train, {.batch_size = 128 / world, .sampler = sampler});
//
// When W does not divide N, every shard still gets the same number of samples (data parallelism
// needs the ranks to take equally many steps): without drop_last the permutation is padded with its
// own first samples up to ⌈N/W⌉·W (those fewer than W are seen twice that epoch, as in PyTorch);
// with drop_last its tail is cut to ⌊N/W⌋·W (a different few are left out each shuffled epoch).
// Needs no MPI itself: rank and world size are arguments.
#pragma once

#include <cstdint>
#include <vector>

#include "modules/data/sampler.h"

namespace lucid::distributed {

struct DistributedSamplerOptions {
  bool shuffle = true;  // false: deal out 0..N−1 in order (evaluation)
  std::uint64_t seed = 0;
  bool drop_last = false;
};

class DistributedSampler : public data::Sampler {
 public:
  // ValueError unless dataset_size >= 0, world_size >= 1 and 0 <= rank < world_size.
  DistributedSampler(std::int64_t dataset_size, int world_size, int rank, DistributedSamplerOptions options = {});

  // ⌈N/W⌉, or ⌊N/W⌋ with drop_last.
  std::int64_t size() const override;
  std::vector<std::int64_t> indices(std::int64_t epoch) const override;

 private:
  std::int64_t dataset_size_;
  int world_size_, rank_;
  DistributedSamplerOptions options_;
};

}  // namespace lucid::distributed
