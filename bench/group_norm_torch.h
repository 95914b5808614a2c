// LibTorch's half of bench/group_norm: registers torch_forward, torch_backward and
// torch_forward_backward over the same cases when CMake found LibTorch (bench/group_norm_torch.cc,
// compiled as C++17, the standard of LibTorch 1.13's headers); registers nothing otherwise.
#pragma once

namespace group_norm_bench {
#ifdef LUCID_BENCH_WITH_TORCH
void RegisterTorchBenchmarks();
#else
inline void RegisterTorchBenchmarks() {}
#endif
}  // namespace group_norm_bench
