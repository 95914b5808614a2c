#include "modules/distributed/collectives.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "framework/number_format.h"
#include "modules/distributed/environment.h"
#include "modules/distributed/mpi_util.h"

namespace lucid::distributed {
namespace detail {

MPI_Datatype mpi_datatype(DType dtype) { return dtype == DType::kFloat64 ? MPI_DOUBLE : MPI_FLOAT; }

// Poll MPI_Test: spin for the first 50 µs, then sleep 10 µs, 20 µs, ... up to 1 ms between polls.
void wait(MPI_Request& request, const std::string& what) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto deadline = start + std::chrono::duration_cast<clock::duration>(collective_timeout());
  auto pause = std::chrono::microseconds(10);
  for (;;) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    const auto now = clock::now();
    if (now > deadline) {
      abort(what + " did not complete within " + format_number(collective_timeout().count()) +
            " s (the collective timeout): another rank failed or stopped calling collectives (see its messages "
            "above); aborting all ranks");
    }
    if (now - start > std::chrono::microseconds(50)) {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(1000));
    }
  }
}

void check_root(int root, const char* what) {
  const int n = world_size();
  if (root < 0 || root >= n) {
    throw ValueError(std::string(what) + ": root (" + std::to_string(root) + ") must be in [0, " + std::to_string(n) +
                     ") (the world size is " + std::to_string(n) + ")");
  }
}

}  // namespace detail

namespace {

// The tensor's first element as an MPI buffer (lucid tensors are contiguous); ValueError when undefined.
void* buffer(const Tensor& tensor, const char* what) {
  if (!tensor.defined()) throw ValueError(std::string(what) + ": the tensor is undefined");
  return visit_dtype(tensor.dtype(), [&](auto tag) -> void* { return tensor.data<decltype(tag)>(); });
}

int count(const Tensor& tensor) { return static_cast<int>(tensor.numel()); }

}  // namespace

void barrier() {
  MPI_Request request;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  detail::wait(request, "barrier");
}

void broadcast(const Tensor& tensor, int root) {
  detail::check_root(root, "broadcast");
  MPI_Request request;
  MPI_Ibcast(buffer(tensor, "broadcast"), count(tensor), detail::mpi_datatype(tensor.dtype()), root, MPI_COMM_WORLD,
             &request);
  detail::wait(request, "broadcast of " + tensor.shape().str() + " from rank " + std::to_string(root));
  tensor.bump_version();
}

void allreduce_sum(const Tensor& tensor) {
  MPI_Request request;
  MPI_Iallreduce(MPI_IN_PLACE, buffer(tensor, "allreduce_sum"), count(tensor), detail::mpi_datatype(tensor.dtype()),
                 MPI_SUM, MPI_COMM_WORLD, &request);
  detail::wait(request, "allreduce_sum of " + tensor.shape().str());
  tensor.bump_version();
}

Tensor allgather(const Tensor& tensor) {
  Shape::Dims dims = tensor.shape().dims();
  dims.insert(dims.begin(), world_size());
  const Tensor out = Tensor::empty(Shape(std::move(dims)), tensor.dtype());
  const MPI_Datatype type = detail::mpi_datatype(tensor.dtype());
  MPI_Request request;
  MPI_Iallgather(buffer(tensor, "allgather"), count(tensor), type, buffer(out, "allgather"), count(tensor), type,
                 MPI_COMM_WORLD, &request);
  detail::wait(request, "allgather of " + tensor.shape().str());
  return out;
}

// Broadcasts each parameter, then each buffer, in registry order (the same on every rank).
void broadcast_parameters(const nn::Module& module, int root) {
  detail::check_root(root, "broadcast_parameters");
  for (const Tensor& p : module.parameters()) broadcast(p, root);
  for (const Tensor& b : module.buffers()) broadcast(b, root);
}

}  // namespace lucid::distributed
