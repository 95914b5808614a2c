// DistributedDataParallel: averages gradients over the ranks after each backward pass, so that
// every rank takes the same optimizer step (data parallelism: each rank runs the same model on its
// own shard of every global batch).
//
//   lucid::distributed::init();
//   auto model = make_model();
//   lucid::distributed::broadcast_parameters(*model, 0);        // identical starting weights
//   lucid::distributed::DistributedDataParallel ddp(*model);
//   for (const auto& batch : loader) {                           // a DistributedSampler shards the data
//     optimizer.zero_grad();
//     cross_entropy((*model)(batch.images), batch.targets).backward();  // buckets reduce as they fill
//     ddp.finish();                                              // grad = Σ_ranks grad / world_size
//     optimizer.step();
//   }
//
// Parameters are packed, in reverse registration order (roughly the order backward finishes
// them), into buckets of up to bucket_cap_bytes; one MPI_Iallreduce (sum) per bucket. With overlap
// on, a post-accumulate-grad hook (autodiff/hooks.h) copies each parameter's gradient into its
// bucket as soon as backward has finished it, and a full bucket starts its allreduce while backward
// continues; buckets start in a fixed order, the same on every rank, as MPI requires. finish()
// waits for them (polling with the collective timeout), divides by the world size and writes the
// averages back into each parameter's .grad. Open MPI advances a nonblocking collective only inside
// MPI calls, so the reducer polls its started buckets whenever a hook runs.
//
// With equal-sized per-rank batches and a mean-reduced loss, the average of the per-rank gradients
// is the gradient of the mean loss over the concatenated global batch. Floating-point sums follow
// MPI's reduction order, which is fixed for a world size and MPI configuration: runs repeat exactly.
//
// One backward() per finish(): a second backward before finish() raises RuntimeError (gradient
// accumulation over several passes is not supported). After finish() every parameter that requires
// grad has a gradient (zero where no rank produced one).
#pragma once

#include <cstddef>
#include <memory>

#include "modules/module.h"

namespace lucid::distributed {

struct DataParallelOptions {
  std::size_t bucket_cap_bytes = std::size_t{1} << 20;  // a bucket holds at least one parameter
  bool overlap = true;  // start allreduces from backward (hooks); false: all of them in finish()
};

class DistributedDataParallel {
 public:
  // Buckets `module`'s parameters that require grad (the module must outlive this object). Needs
  // init(); the ranks must build identical models. ValueError for bucket_cap_bytes == 0.
  explicit DistributedDataParallel(const nn::Module& module, DataParallelOptions options = {});
  // Waits for allreduces still in flight (after an exception in a step) and removes the hooks.
  ~DistributedDataParallel();
  DistributedDataParallel(const DistributedDataParallel&) = delete;
  DistributedDataParallel& operator=(const DistributedDataParallel&) = delete;

  // Completes the step's gradient averaging; call after backward(), before the optimizer step.
  void finish();

  std::size_t bucket_count() const;
  // Buckets whose allreduce has started in the current step (with overlap, all of them once
  // backward() has returned; 0 again after finish()).
  std::size_t started_buckets() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lucid::distributed
