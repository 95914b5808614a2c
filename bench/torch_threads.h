// The LibTorch halves of the benchmarks run LibTorch with `threads` intra-op threads and one inter-op
// thread. Include it only from a LibTorch translation unit (C++17, LibTorch's headers).
#pragma once

#include <torch/utils.h>

namespace lucid_bench {

inline void torch_use_threads(int threads) {
  static const bool once = [] {
    torch::set_num_interop_threads(1);  // may only be called once per process
    return true;
  }();
  (void)once;
  torch::set_num_threads(threads);
}

}  // namespace lucid_bench
