// LibTorch's half of bench/conv2d (bench/conv2d_torch.cc, C++17 for LibTorch 1.13's headers): registers
// its benchmarks when CMake found LibTorch, nothing otherwise.
#pragma once

namespace conv2d_bench {
#ifdef LUCID_BENCH_WITH_TORCH
void RegisterTorchBenchmarks();
#else
inline void RegisterTorchBenchmarks() {}
#endif
}  // namespace conv2d_bench
