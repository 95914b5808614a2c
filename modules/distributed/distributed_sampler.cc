#include "modules/distributed/distributed_sampler.h"

#include <string>

#include "framework/errors.h"

namespace lucid::distributed {

DistributedSampler::DistributedSampler(std::int64_t dataset_size, int world_size, int rank,
                                       DistributedSamplerOptions options)
    : dataset_size_(dataset_size), world_size_(world_size), rank_(rank), options_(options) {
  if (dataset_size < 0) {
    throw ValueError("DistributedSampler: dataset_size must be >= 0, got " + std::to_string(dataset_size));
  }
  if (world_size < 1) throw ValueError("DistributedSampler: world_size must be >= 1, got " + std::to_string(world_size));
  if (rank < 0 || rank >= world_size) {
    throw ValueError("DistributedSampler: rank (" + std::to_string(rank) + ") must be in [0, " +
                     std::to_string(world_size) + ")");
  }
}

std::int64_t DistributedSampler::size() const {
  return options_.drop_last ? dataset_size_ / world_size_ : (dataset_size_ + world_size_ - 1) / world_size_;
}

// indices[i] = order[(rank + i·W) mod N] for i < size(): the mod pads from the permutation's start.
std::vector<std::int64_t> DistributedSampler::indices(std::int64_t epoch) const {
  if (epoch < 0) throw ValueError("DistributedSampler: epoch must be >= 0, got " + std::to_string(epoch));
  std::vector<std::int64_t> out(static_cast<std::size_t>(size()));
  if (out.empty()) return out;
  const std::vector<std::int64_t> order =
      options_.shuffle ? data::random_permutation(dataset_size_, options_.seed, static_cast<std::uint64_t>(epoch))
                       : std::vector<std::int64_t>();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::int64_t position = (rank_ + static_cast<std::int64_t>(i) * world_size_) % dataset_size_;
    out[i] = options_.shuffle ? order[static_cast<std::size_t>(position)] : position;
  }
  return out;
}

}  // namespace lucid::distributed
