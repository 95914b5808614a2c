// parallel_for(count, body): body(i) for every i in [0, count), as one OpenMP static loop when more than
// one thread can take part, else as a plain loop. Inside an active parallel region (a convolution's
// loop over samples) a nested region would have one thread anyway, and opening one costs microseconds
// (2–5 µs measured on this VM, about a thousand times a training step), so none is opened there, nor
// on one thread. The iterations must be independent: the result is the same either way.
#pragma once

#include <cstddef>

#include <omp.h>

namespace lucid::kernels::detail {

template <typename Body>
void parallel_for(std::ptrdiff_t count, const Body& body) {
  if (omp_in_parallel() || omp_get_max_threads() == 1) {
    for (std::ptrdiff_t i = 0; i < count; ++i) body(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < count; ++i) body(i);
}

}  // namespace lucid::kernels::detail
