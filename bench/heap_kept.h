// The heap a forward call leaves allocated for its backward: glibc's count of bytes in use (mallinfo2:
// ordinary and mmapped blocks) after the call, minus before, minus the output itself, with any
// allocator cache emptied around each reading (lucid recycles large buffers). Shared by the lucid and
// LibTorch halves of bench/group_norm, so both are measured the same way.
#pragma once

#include <malloc.h>

#include <cstddef>
#include <cstdint>

namespace group_norm_bench {

inline std::int64_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<std::int64_t>(info.uordblks + info.hblkhd);
}

// run() returns a float32 tensor (lucid's or LibTorch's) whose graph the measurement keeps alive.
template <class Run, class EmptyCaches>
std::int64_t KeptForBackward(Run run, EmptyCaches empty_caches) {
  empty_caches();
  const std::int64_t before = HeapInUse();
  const auto y = run();
  empty_caches();
  return HeapInUse() - before - static_cast<std::int64_t>(y.numel()) * static_cast<std::int64_t>(sizeof(float));
}

}  // namespace group_norm_bench
