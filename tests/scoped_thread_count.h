// ScopedThreadCount: sets lucid's intra-op thread count for its scope and restores the previous one,
// however the scope ends, so a test's choice never leaks into the tests after it in the same process.
#pragma once

#include "lucid.h"

namespace lucid::test {

class ScopedThreadCount {
 public:
  explicit ScopedThreadCount(int threads) : previous_(get_num_threads()) { set_num_threads(threads); }
  ScopedThreadCount(const ScopedThreadCount&) = delete;
  ScopedThreadCount& operator=(const ScopedThreadCount&) = delete;
  ~ScopedThreadCount() { set_num_threads(previous_); }

 private:
  int previous_;
};

}  // namespace lucid::test
