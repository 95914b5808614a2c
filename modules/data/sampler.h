// Sampler: which samples of a data set an epoch visits, and in what order. A DataLoader given one
// (DataLoaderOptions::sampler) batches its indices instead of 0..N−1 or its own shuffle;
// distributed::DistributedSampler gives each rank its shard this way.
#pragma once

#include <cstdint>
#include <vector>

namespace lucid::data {

class Sampler {
 public:
  virtual ~Sampler() = default;
  // Samples per epoch: the length of every indices() vector.
  virtual std::int64_t size() const = 0;
  // The sample indices of `epoch` in visiting order, each in [0, the data set's size).
  virtual std::vector<std::int64_t> indices(std::int64_t epoch) const = 0;
};

// A permutation of 0..n−1 that depends only on (seed, epoch): Fisher–Yates driven by a
// std::mt19937_64 seeded with both, with an unbiased bounded draw of our own (std::shuffle's
// draws differ between standard libraries).
std::vector<std::int64_t> random_permutation(std::int64_t n, std::uint64_t seed, std::uint64_t epoch);

}  // namespace lucid::data
