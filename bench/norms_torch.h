// LibTorch's half of bench/norms (bench/norms_torch.cc, C++17 for LibTorch 1.13's headers): registers
// its benchmarks when CMake found LibTorch, nothing otherwise.
#pragma once

namespace norms_bench {
#ifdef LUCID_BENCH_WITH_TORCH
void RegisterTorchBenchmarks();
#else
inline void RegisterTorchBenchmarks() {}
#endif
}  // namespace norms_bench
