#include "examples/fashion_mnist/parallel.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace fashion_mnist {

#ifdef LUCID_HAS_MPI
namespace dist = lucid::distributed;

namespace {

// Σ over ranks of (samples, loss·samples, accuracy·samples) in one allreduce; max of the seconds.
PassResult combine_over_ranks(const PassResult& local) {
  const auto n = static_cast<double>(local.samples);
  const lucid::Tensor sums = lucid::tensor(std::vector<double>{n, local.loss * n, local.accuracy * n}, {3});
  dist::allreduce_sum(sums);
  const std::vector<double> s = sums.to_vector<double>();
  const std::vector<double> seconds = dist::allgather(lucid::tensor(std::vector<double>{local.seconds}, {1})).to_vector<double>();
  PassResult out;
  out.samples = static_cast<std::int64_t>(s[0]);
  out.loss = s[0] > 0 ? s[1] / s[0] : 0.0;
  out.accuracy = s[0] > 0 ? s[2] / s[0] : 0.0;
  out.seconds = *std::max_element(seconds.begin(), seconds.end());
  return out;
}

}  // namespace
#endif

Parallel::Parallel() {
#ifdef LUCID_HAS_MPI
  if (!dist::launched_by_mpi()) return;
  dist::init();
  rank_ = dist::rank();
  world_ = dist::world_size();
#endif
}

lucid::data::DataLoader Parallel::train_loader(const lucid::data::Dataset& data, std::int64_t global_batch,
                                               std::uint64_t seed) const {
#ifdef LUCID_HAS_MPI
  if (world_ > 1) {
    if (global_batch % world_ != 0) {
      throw lucid::ValueError("--batch-size (" + std::to_string(global_batch) +
                              ") must be divisible by the number of ranks (" + std::to_string(world_) +
                              "): it is the global batch, split evenly over the ranks");
    }
    const auto shard = std::make_shared<dist::DistributedSampler>(data.size(), world_, rank_,
                                                                  dist::DistributedSamplerOptions{.seed = seed});
    return lucid::data::DataLoader(data, {.batch_size = global_batch / world_, .sampler = shard});
  }
#endif
  return lucid::data::DataLoader(data, {.batch_size = global_batch, .shuffle = true, .seed = seed});
}

lucid::data::DataLoader Parallel::test_loader(const lucid::data::Dataset& data, std::int64_t batch) const {
#ifdef LUCID_HAS_MPI
  if (world_ > 1) {
    const auto shard = std::make_shared<dist::DistributedSampler>(data.size(), world_, rank_,
                                                                  dist::DistributedSamplerOptions{.shuffle = false});
    return lucid::data::DataLoader(data, {.batch_size = batch, .sampler = shard});
  }
#endif
  return lucid::data::DataLoader(data, {.batch_size = batch});
}

void Parallel::replicate([[maybe_unused]] const lucid::nn::Module& model) {
#ifdef LUCID_HAS_MPI
  if (world_ == 1) return;
  dist::broadcast_parameters(model, 0);
  average_gradients_ = [ddp = std::make_shared<dist::DistributedDataParallel>(model)] { ddp->finish(); };
#endif
}

PassResult Parallel::combine(const PassResult& local) const {
#ifdef LUCID_HAS_MPI
  if (world_ > 1) return combine_over_ranks(local);
#endif
  return local;
}

void Parallel::sum_over_ranks([[maybe_unused]] std::vector<std::int64_t>& counts) const {
#ifdef LUCID_HAS_MPI
  if (world_ == 1 || counts.empty()) return;
  // Counts below 2^53 are exact in float64.
  const lucid::Tensor sums = lucid::tensor(std::vector<double>(counts.begin(), counts.end()),
                                           {static_cast<std::int64_t>(counts.size())});
  dist::allreduce_sum(sums);
  const std::vector<double> summed = sums.to_vector<double>();
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = static_cast<std::int64_t>(summed[i]);
#endif
}

int Parallel::fail(const std::string& message) const {
#ifdef LUCID_HAS_MPI
  if (world_ > 1) dist::abort("error: " + message);
#endif
  std::cerr << "error: " << message << "\n";
  return 1;
}

}  // namespace fashion_mnist
