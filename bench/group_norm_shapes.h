// The GroupNorm benchmark's shapes (N, C, H, W) / G and thread counts, shared by the lucid and the
// LibTorch halves of bench/group_norm so that both measure exactly the same cases.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace group_norm_bench {

struct Case {
  std::int64_t n, c, h, w, groups;
};

inline constexpr Case kCases[] = {
    {8, 64, 56, 56, 32}, {32, 32, 32, 32, 8}, {1, 512, 16, 16, 32},
    {64, 128, 8, 8, 32}, {16, 256, 28, 28, 32}, {4, 32, 64, 64, 8},
};
inline constexpr int kThreadCounts[] = {1, 2};

// Benchmark arguments: (case index, threads); names read .../case:K/threads:T. The caller picks the
// time measure (UseRealTime, or UseManualTime for backward-only timings).
inline void AllCases(benchmark::internal::Benchmark* b) {
  b->ArgNames({"case", "threads"});
  for (int threads : kThreadCounts) {
    for (std::int64_t k = 0; k < static_cast<std::int64_t>(std::size(kCases)); ++k) b->Args({k, threads});
  }
  b->Unit(benchmark::kMicrosecond);
}

inline const Case& CaseOf(const benchmark::State& state) { return kCases[state.range(0)]; }
inline int ThreadsOf(const benchmark::State& state) { return static_cast<int>(state.range(1)); }

}  // namespace group_norm_bench
