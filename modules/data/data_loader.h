// DataLoader: mini-batches over an in-memory Dataset, optionally shuffled.
//
//   lucid::data::DataLoader loader(lucid::data::load_fashion_mnist(), {.batch_size = 128, .shuffle = true});
//   for (int epoch = 0; epoch < 5; ++epoch) {
//     for (const auto& batch : loader) {   // each pass is the next epoch
//       auto loss = cross_entropy(model(batch.images), batch.targets);
//     }
//   }
//
// A shuffled epoch visits a permutation drawn by a std::mt19937_64 seeded with (seed, epoch), so
// the order depends only on those two numbers: reproducible, independent of threads and of what
// ran before, and resumable with set_epoch. With options.generator the seed is drawn from that
// generator once, at construction (PyTorch draws each epoch's permutation from it instead; drawing
// the seed keeps order(epoch) a function of the epoch, so set_epoch still resumes a run). A sampler (sampler.h), e.g. a DistributedSampler,
// replaces both orders with its own indices of each epoch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "modules/data/dataset.h"
#include "modules/data/sampler.h"

namespace lucid {
class Generator;  // framework/random.h
}

namespace lucid::data {

struct DataLoaderOptions {
  std::int64_t batch_size = 1;
  bool shuffle = false;
  std::uint64_t seed = 0;
  Generator* generator = nullptr;  // with shuffle: the seed is drawn from it (next_u64) instead; read
                                   // only by the constructor, which leaves options().generator null
  bool drop_last = false;  // skip the last batch when it is smaller than batch_size
  std::shared_ptr<const Sampler> sampler = nullptr;  // when set: its indices per epoch (shuffle must be false)
};

// A batch holds the same two tensors as a Dataset, with batch_size (or fewer) samples.
using Batch = Dataset;

class DataLoader {
 public:
  // Walks the batches of one pass; dereferencing copies the batch's samples into new tensors.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Batch;

    Iterator() = default;
    Batch operator*() const;
    Iterator& operator++() {
      ++batch_;
      return *this;
    }
    void operator++(int) { ++batch_; }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.batch_ == b.batch_; }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, std::shared_ptr<const std::vector<std::int64_t>> order, std::int64_t batch)
        : loader_(loader), order_(std::move(order)), batch_(batch) {}

    const DataLoader* loader_ = nullptr;
    std::shared_ptr<const std::vector<std::int64_t>> order_;
    std::int64_t batch_ = 0;
  };

  // ValueError when batch_size <= 0, a tensor is undefined or 0-dimensional, images and targets
  // disagree on the number of samples, or both shuffle and a sampler are given.
  explicit DataLoader(Dataset dataset, DataLoaderOptions options = {});

  // Batches per pass: ⌊N / batch_size⌋ with drop_last, ⌈N / batch_size⌉ without (N = samples()).
  std::int64_t size() const;
  // Samples per pass: N, the sampler's size when there is one.
  std::int64_t samples() const { return options_.sampler ? options_.sampler->size() : dataset_.size(); }
  const Dataset& dataset() const { return dataset_; }
  const DataLoaderOptions& options() const { return options_; }

  // The epoch the next pass (begin()) will use; starts at 0. ValueError for a negative epoch.
  std::int64_t epoch() const { return epoch_; }
  void set_epoch(std::int64_t epoch);
  // The sample indices of `epoch` in visiting order: 0..N−1, with shuffle a permutation that
  // depends only on (seed, epoch), or the sampler's indices (ValueError for one out of range).
  std::vector<std::int64_t> order(std::int64_t epoch) const;

  // Starts a pass over epoch() and advances epoch() by one, so consecutive passes see fresh orders.
  Iterator begin();
  Iterator end() const { return Iterator(this, nullptr, size()); }

 private:
  // The batch made of samples order[first, first + count).
  Batch gather(const std::vector<std::int64_t>& order, std::int64_t first, std::int64_t count) const;

  Dataset dataset_;
  DataLoaderOptions options_;
  std::int64_t epoch_ = 0;
};

}  // namespace lucid::data
