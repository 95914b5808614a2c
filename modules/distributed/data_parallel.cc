#include "modules/distributed/data_parallel.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "autodiff/hooks.h"
#include "modules/distributed/environment.h"
#include "modules/distributed/mpi_util.h"

namespace lucid::distributed {
namespace {

// Several parameters' gradients fused into one flat buffer, reduced by one allreduce.
struct Bucket {
  DType dtype = DType::kFloat32;
  std::vector<std::size_t> params;    // indices into Impl::params, in bucket order
  std::vector<std::int64_t> offsets;  // element offset of each parameter in `buffer`
  std::int64_t numel = 0;
  Tensor buffer;                      // 1-D, numel elements of dtype
  std::size_t pending = 0;            // parameters whose gradient is not in the buffer yet this step
  bool launched = false;
  MPI_Request request = MPI_REQUEST_NULL;
};

// Copies count elements of type `dtype` between tensors' data at element offsets.
void copy_elements(const Tensor& to, std::int64_t to_offset, const Tensor& from, std::int64_t from_offset,
                   std::int64_t count) {
  visit_dtype(to.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::memcpy(to.data<T>() + to_offset, from.data<T>() + from_offset, static_cast<std::size_t>(count) * sizeof(T));
  });
}

}  // namespace

struct DistributedDataParallel::Impl {
  std::vector<nn::Parameter> params;
  std::vector<std::size_t> bucket_of, slot_of;  // per parameter: its bucket and index in it
  std::vector<bool> ready;                      // per parameter: gradient copied into its bucket this step
  std::vector<Bucket> buckets;
  std::vector<autograd::RemovableHandle> hook_handles;
  std::size_t next_launch = 0;  // buckets start in index order on every rank

  // Greedy packing in reverse parameter order: a new bucket when the dtype changes or the cap
  // would be exceeded.
  void make_buckets(std::size_t cap_bytes) {
    for (std::size_t k = params.size(); k-- > 0;) {
      const Tensor& p = params[k];
      const std::size_t size = element_size(p.dtype());
      if (buckets.empty() || buckets.back().dtype != p.dtype() ||
          static_cast<std::size_t>(buckets.back().numel + p.numel()) * size > cap_bytes) {
        buckets.emplace_back().dtype = p.dtype();
      }
      Bucket& b = buckets.back();
      bucket_of[k] = buckets.size() - 1;
      slot_of[k] = b.params.size();
      b.params.push_back(k);
      b.offsets.push_back(b.numel);
      b.numel += p.numel();
    }
    for (Bucket& b : buckets) {
      b.buffer = Tensor::empty(Shape({b.numel}), b.dtype);
      b.pending = b.params.size();
    }
  }

  // Puts parameter k's gradient (zeros when it has none) into its bucket; starts every bucket that
  // is full and next in order.
  void mark_ready(std::size_t k) {
    if (ready[k]) {
      throw RuntimeError("DistributedDataParallel: parameter " + std::to_string(k) +
                         " received a second backward pass before finish(); call finish() after each backward() "
                         "(gradient accumulation over several passes is not supported)");
    }
    Bucket& b = buckets[bucket_of[k]];
    const std::int64_t offset = b.offsets[slot_of[k]], n = params[k].numel();
    const Tensor grad = params[k].grad();
    if (grad.defined()) {
      copy_elements(b.buffer, offset, grad, 0, n);
    } else {
      visit_dtype(b.dtype, [&](auto tag) { std::fill_n(b.buffer.data<decltype(tag)>() + offset, n, 0); });
    }
    ready[k] = true;
    --b.pending;
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) launch(buckets[next_launch++]);
  }

  static void launch(Bucket& b) {
    void* data = visit_dtype(b.dtype, [&](auto tag) -> void* { return b.buffer.data<decltype(tag)>(); });
    MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(b.numel), detail::mpi_datatype(b.dtype), MPI_SUM,
                   MPI_COMM_WORLD, &b.request);
    b.launched = true;
  }

  // Lets MPI advance the started allreduces (Open MPI progresses only inside MPI calls).
  void poll() {
    for (std::size_t i = 0; i < next_launch; ++i) {
      int done = 0;
      MPI_Test(&buckets[i].request, &done, MPI_STATUS_IGNORE);
    }
  }

  void wait_all() {
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      if (!buckets[i].launched) continue;
      detail::wait(buckets[i].request, "allreduce of gradient bucket " + std::to_string(i) + " of " +
                                           std::to_string(buckets.size()) + " (" +
                                           std::to_string(buckets[i].numel) + " elements)");
    }
  }
};

// bucket_of, slot_of, ready sized to the parameters; hooks only when overlapping.
DistributedDataParallel::DistributedDataParallel(const nn::Module& module, DataParallelOptions options)
    : impl_(std::make_unique<Impl>()) {
  if (options.bucket_cap_bytes == 0) throw ValueError("DistributedDataParallel: bucket_cap_bytes must be positive, got 0");
  if (!is_initialized()) throw RuntimeError("DistributedDataParallel: call lucid::distributed::init() first");
  for (const nn::Parameter& p : module.parameters()) {
    if (p.requires_grad()) impl_->params.push_back(p);
  }
  const std::size_t n = impl_->params.size();
  impl_->bucket_of.resize(n);
  impl_->slot_of.resize(n);
  impl_->ready.assign(n, false);
  impl_->make_buckets(options.bucket_cap_bytes);
  if (!options.overlap) return;
  for (std::size_t k = 0; k < n; ++k) {
    Impl* impl = impl_.get();
    impl_->hook_handles.push_back(autograd::register_post_accumulate_grad_hook(impl_->params[k], [impl, k](const Tensor&) {
      impl->mark_ready(k);
      impl->poll();
    }));
  }
}

DistributedDataParallel::~DistributedDataParallel() {
  impl_->wait_all();  // MPI may still write into the buffers
  for (autograd::RemovableHandle& handle : impl_->hook_handles) handle.remove();
}

// grad_k ← (Σ_ranks grad_k) / world_size for every parameter k, then a fresh step.
void DistributedDataParallel::finish() {
  Impl& m = *impl_;
  for (std::size_t k = 0; k < m.params.size(); ++k) {
    if (!m.ready[k]) m.mark_ready(k);
  }
  m.wait_all();
  const double world = world_size();
  for (Bucket& b : m.buckets) {
    visit_dtype(b.dtype, [&](auto tag) {
      using T = decltype(tag);
      T* data = b.buffer.data<T>();
      for (std::int64_t i = 0; i < b.numel; ++i) data[i] = static_cast<T>(data[i] / world);
    });
    for (std::size_t slot = 0; slot < b.params.size(); ++slot) {
      const nn::Parameter& p = m.params[b.params[slot]];
      if (!p.grad().defined()) p.set_grad(Tensor::empty(p.shape(), p.dtype()));
      copy_elements(p.grad(), 0, b.buffer, b.offsets[slot], p.numel());
      p.grad().bump_version();
    }
    b.pending = b.params.size();
    b.launched = false;
  }
  m.ready.assign(m.params.size(), false);
  m.next_launch = 0;
}

std::size_t DistributedDataParallel::bucket_count() const { return impl_->buckets.size(); }

std::size_t DistributedDataParallel::started_buckets() const { return impl_->next_launch; }

}  // namespace lucid::distributed
