// Intra-op parallelism. Kernels split work over OpenMP threads in a way that never changes results:
// every reduction has a fixed order, so 1 and N threads give bit-identical outputs.
#pragma once

namespace lucid {

// Sets the number of intra-op threads, OpenMP's and OpenBLAS's (n >= 1, else ValueError), for the
// calling thread: OpenMP keeps the count per thread, and a new std::thread starts from the default,
// which OMP_NUM_THREADS (and OPENBLAS_NUM_THREADS) set (docs/THREADS.md).
void set_num_threads(int n);
int get_num_threads();

}  // namespace lucid
