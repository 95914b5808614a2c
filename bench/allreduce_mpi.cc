// Time of one lucid::distributed::allreduce_sum between the ranks of an mpirun launch, per message
// size: 4 B (latency), 4 KiB, the Fashion-MNIST example's whole gradient (50,378 float32) and 4 MiB.
// For each size, kTrials runs of `reps` back-to-back allreduces (after a barrier and warm-up); rank 0
// prints the median per allreduce and the algorithm bandwidth (bytes / time). Not Google Benchmark:
// every rank must take part in every call. Run it under the mpirun of the transport to measure, e.g.
//   mpirun -np 2 --mca btl self,vader ./build/bench/allreduce_mpi
//   scripts/two-host-mpi.sh ... --bench ./build/bench/allreduce_mpi   (TCP over a veth pair)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "lucid.h"

int main() {
  namespace dist = lucid::distributed;
  dist::init();
  return dist::run_or_abort([] {
    constexpr int kTrials = 7;
    struct Size {
      std::int64_t floats;
      int reps;
    };
    const std::vector<Size> sizes = {{1, 2000}, {1024, 1000}, {50378, 200}, {1 << 20, 20}};
    if (dist::rank() == 0) std::printf("allreduce_sum, %d ranks: floats, bytes, median us per call, MB/s\n", dist::world_size());
    for (const Size& size : sizes) {
      const lucid::Tensor t = lucid::zeros({size.floats});  // stays 0: no overflow over the repetitions
      for (int i = 0; i < 10; ++i) dist::allreduce_sum(t);  // warm-up: connections, buffers
      std::vector<double> per_call_us;
      for (int trial = 0; trial < kTrials; ++trial) {
        dist::barrier();
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < size.reps; ++i) dist::allreduce_sum(t);
        const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
        per_call_us.push_back(elapsed.count() / size.reps);
      }
      std::sort(per_call_us.begin(), per_call_us.end());
      const double median = per_call_us[kTrials / 2];
      const double bytes = static_cast<double>(size.floats) * sizeof(float);
      if (dist::rank() == 0) std::printf("%9lld %9.0f %10.1f %9.1f\n", static_cast<long long>(size.floats), bytes, median, bytes / median);
    }
    return 0;
  });
}
