// Collective operations on tensors across the ranks of MPI_COMM_WORLD, and broadcast_parameters.
// Every rank must call the same collectives in the same order with tensors of the same shape and
// dtype. Each waits at most collective_timeout() (environment.h) for the other ranks, then aborts
// the run with a message naming the operation, rather than hanging.
//
//   lucid::distributed::broadcast_parameters(model, 0);   // every rank starts from rank 0's weights
//   lucid::Tensor t = lucid::tensor({1.0f * rank}, {1});
//   lucid::distributed::allreduce_sum(t);                  // t = Σ over ranks, on every rank
#pragma once

#include "framework/tensor.h"
#include "modules/module.h"

namespace lucid::distributed {

// Blocks until every rank has called it.
void barrier();

// Replaces `tensor`'s values (in place; float32 or float64) with those of rank `root`.
// ValueError when root is not in [0, world_size()).
void broadcast(const Tensor& tensor, int root = 0);

// tensor ← Σ_ranks tensor, in place, on every rank. The order of the floating-point sum is MPI's
// (fixed for a given world size and MPI configuration, not necessarily rank order).
void allreduce_sum(const Tensor& tensor);

// The tensors of every rank stacked along a new first dimension: shape (world_size(), *shape).
Tensor allgather(const Tensor& tensor);

// Copies rank `root`'s parameters and buffers into every rank's `module`, so that all ranks start
// from the same state. ValueError when root is not in [0, world_size()).
void broadcast_parameters(const nn::Module& module, int root = 0);

}  // namespace lucid::distributed
