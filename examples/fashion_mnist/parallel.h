// Data parallelism for the example: a single process, or, when lucid is built with MPI and the
// program is started by mpirun, one of N ranks (lucid::distributed). Each rank trains on its own
// shard of every global batch; gradients are averaged over the ranks after each backward pass, so
// all ranks take the same steps. For a single process every member keeps the plain behaviour.
//
//   mpirun -np 2 ./build/examples/fashion_mnist --epochs 2      # global batch 128 = 2 × 64
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "examples/fashion_mnist/train.h"
#include "lucid.h"

namespace fashion_mnist {

class Parallel {
 public:
  // Joins the MPI world when launched by mpirun and lucid has MPI; otherwise rank 0 of 1.
  Parallel();

  int rank() const { return rank_; }
  int world() const { return world_; }
  bool is_root() const { return rank_ == 0; }  // the rank that prints and writes files

  // The training batches: the whole set shuffled per epoch (one process), or this rank's shard
  // (a DistributedSampler with the same seed) in batches of global_batch / world. ValueError when
  // the world size does not divide global_batch.
  lucid::data::DataLoader train_loader(const lucid::data::Dataset& data, std::int64_t global_batch,
                                       std::uint64_t seed) const;
  // The test set in order, or this rank's shard of it (when the world size does not divide the
  // test set, the shards are padded with a few samples that then count twice).
  lucid::data::DataLoader test_loader(const lucid::data::Dataset& data, std::int64_t batch) const;

  // Gives every rank rank 0's weights and averages the model's gradients from now on (see
  // average_gradients). Does nothing for one process.
  void replicate(const lucid::nn::Module& model);
  // Between backward and the optimizer step: grad ← mean over ranks (after replicate).
  const std::function<void()>& average_gradients() const { return average_gradients_; }

  // A pass's figures over all ranks: samples summed, loss and accuracy weighted by samples, the
  // slowest rank's seconds. The input itself for one process.
  PassResult combine(const PassResult& local) const;
  // Replaces `counts` (the same length on every rank) by their sums over the ranks, e.g. the cells of
  // a confusion matrix. Does nothing for one process.
  void sum_over_ranks(std::vector<std::int64_t>& counts) const;

  // Reports a failure on stderr ("error: <message>") and returns exit code 1; with several ranks it
  // ends all of them (MPI_Abort), so that none waits for this one until its collective timeout.
  int fail(const std::string& message) const;

 private:
  int rank_ = 0, world_ = 1;
  std::function<void()> average_gradients_;
};

}  // namespace fashion_mnist
