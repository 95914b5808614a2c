// resident_bytes: the process's resident set size (VmRSS of /proc/self/status), for the tests that
// check memory stays flat over many training steps.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace lucid::test {

// The process's resident set size in bytes (VmRSS of /proc/self/status); -1 when unavailable.
inline std::int64_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      std::int64_t kib = -1;
      status >> kib;
      return kib < 0 ? -1 : kib * 1024;
    }
    status.ignore(1 << 16, '\n');
  }
  return -1;
}

}  // namespace lucid::test
