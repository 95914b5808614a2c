// Runs a NormRange over work items [0, count) as one contiguous static chunk per OpenMP thread. The
// items are independent, so the chunking changes no result. Include it only from the HWY_ONCE part of
// a kernels .cc.
#pragma once

#include <algorithm>
#include <cstddef>

#include <omp.h>

#include "framework/kernels/norm_kernels.h"

namespace lucid::kernels::detail {

template <typename Args>
void parallel_items(NormRange<Args> run, const Args& args, std::size_t count) {
  if (count == 0) return;
  const int threads = static_cast<int>(std::min<std::size_t>(count, static_cast<std::size_t>(omp_get_max_threads())));
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    run(args, count * t / nt, count * (t + 1) / nt);
  }
}

}  // namespace lucid::kernels::detail
