// Two tools of the memory-bound kernels (the normalisation layers) whose tensors outgrow the cache:
// streaming a large output past the cache, and prefetching the rows the kernel reads next.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hwy/cache_control.h"

namespace lucid::kernels {

// Outputs of at least this many bytes are written with non-temporal stores (expr::Store::streamed):
// no read of each output line from memory before it is overwritten, and the cache keeps what the
// kernel reads. The next op then reads the output from memory, not the cache, so small outputs stay
// cached. Measured on a Zen 3 core (32 MB L3; bench/norms, LayerNorm's forward followed by an add
// of the same size, 2026-12-06): cached stores were faster for 1.5 and 3 MB outputs, streamed ones
// from 6 MB on (6 MB: 0.99 against 1.29 ms; 12.6 MB: 2.8 against 3.4 ms).
inline constexpr std::size_t kStreamedOutputBytes = std::size_t{4} << 20;

inline bool streams_output(std::size_t output_bytes) { return output_bytes >= kStreamedOutputBytes; }

// Asks the memory system for the count elements at p ahead of their reads: a row-by-row kernel that
// reads a row in two passes (statistics, then the output) would otherwise leave memory idle during
// the second pass, whose loads hit the cache.
template <typename T>
inline void prefetch(const T* p, std::size_t count) {
  constexpr std::uintptr_t kLine = 64;
  const auto begin = reinterpret_cast<std::uintptr_t>(p), end = begin + count * sizeof(T);
  for (std::uintptr_t line = begin & ~(kLine - 1); line < end; line += kLine) {
    hwy::Prefetch(reinterpret_cast<const char*>(line));
  }
}

}  // namespace lucid::kernels
