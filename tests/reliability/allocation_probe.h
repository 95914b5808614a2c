// A probe on the test binary's heap: while an AllocationLimit is in scope, every operator-new request
// is recorded, and one larger than the limit is refused with std::bad_alloc instead of being served.
// The fuzz tests use it to check that a reader rejects a file before allocating what its header
// claims. The replacement operator new/delete that feed it are in allocation_probe_test.cc.
#pragma once

#include <atomic>
#include <cstddef>

namespace lucid::test {

// The probe's state, shared with the replacement operators (defined in allocation_probe_test.cc).
extern std::atomic<bool> allocation_probe_armed;
extern std::atomic<std::size_t> allocation_probe_limit;
extern std::atomic<std::size_t> allocation_probe_largest;

// Arms the probe for its scope with a byte limit per request; largest() is the largest request seen.
class AllocationLimit {
 public:
  explicit AllocationLimit(std::size_t limit) {
    allocation_probe_limit.store(limit, std::memory_order_relaxed);
    allocation_probe_largest.store(0, std::memory_order_relaxed);
    allocation_probe_armed.store(true, std::memory_order_release);
  }
  AllocationLimit(const AllocationLimit&) = delete;
  AllocationLimit& operator=(const AllocationLimit&) = delete;
  ~AllocationLimit() { allocation_probe_armed.store(false, std::memory_order_release); }

  std::size_t largest() const { return allocation_probe_largest.load(std::memory_order_relaxed); }
  bool exceeded() const { return largest() > allocation_probe_limit.load(std::memory_order_relaxed); }
};

}  // namespace lucid::test
