// Intra-op parallelism. Kernels split work over OpenMP threads in a way that never changes results:
// every reduction has a fixed order, so 1 and N threads give bit-identical outputs.
#pragma once

namespace lucid {

// Sets the number of intra-op threads (n >= 1, else ValueError). OMP_NUM_THREADS sets the default.
void set_num_threads(int n);
int get_num_threads();

}  // namespace lucid
