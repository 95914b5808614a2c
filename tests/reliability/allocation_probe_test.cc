// The replacement global operator new/delete of the reliability test binary (malloc/aligned_alloc and
// free, as glibc's own), which feed the allocation probe of allocation_probe.h, and tests showing that
// the probe sees and refuses large requests, plain and aligned (lucid's tensor storage).
#include "tests/reliability/allocation_probe.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <new>
#include <vector>

#include "lucid.h"

namespace lucid::test {

std::atomic<bool> allocation_probe_armed{false};
std::atomic<std::size_t> allocation_probe_limit{0};
std::atomic<std::size_t> allocation_probe_largest{0};

namespace {

// Records a request of n bytes while armed; true when it must be refused.
bool refuse(std::size_t n) {
  if (!allocation_probe_armed.load(std::memory_order_acquire)) return false;
  std::size_t largest = allocation_probe_largest.load(std::memory_order_relaxed);
  while (n > largest && !allocation_probe_largest.compare_exchange_weak(largest, n, std::memory_order_relaxed)) {
  }
  return n > allocation_probe_limit.load(std::memory_order_relaxed);
}

// n bytes aligned to `alignment` (0: malloc's own alignment); std::bad_alloc when refused or out of memory.
void* allocate(std::size_t n, std::size_t alignment) {
  if (refuse(n) || n > std::numeric_limits<std::size_t>::max() - alignment) throw std::bad_alloc();
  if (n == 0) n = 1;
  // aligned_alloc wants a size that is a multiple of the alignment.
  void* p = alignment == 0 ? std::malloc(n)
                           : std::aligned_alloc(alignment, (n + alignment - 1) / alignment * alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* allocate_or_null(std::size_t n, std::size_t alignment) noexcept {
  try {
    return allocate(n, alignment);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

}  // namespace
}  // namespace lucid::test

using lucid::test::allocate;
using lucid::test::allocate_or_null;

// These replace the global operators, so every pointer they free came from `allocate` (malloc-backed);
// GCC 12 at -O1 inlines std::free into code it also saw call operator new and warns of a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) { return allocate(n, 0); }
void* operator new[](std::size_t n) { return allocate(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate_or_null(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate_or_null(n, 0); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate_or_null(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate_or_null(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace lucid::test {
namespace {

TEST(AllocationProbe, RecordsAndRefusesRequestsAboveTheLimit) {
  AllocationLimit limit(1 << 20);
  std::vector<char> small(1000);
  EXPECT_EQ(limit.largest(), 1000u);
  EXPECT_FALSE(limit.exceeded());
  EXPECT_THROW(std::vector<char>(3 << 20), std::bad_alloc);
  EXPECT_EQ(limit.largest(), std::size_t{3} << 20);
  EXPECT_TRUE(limit.exceeded());
}

TEST(AllocationProbe, SeesAlignedTensorStorage) {
  {
    AllocationLimit limit(1 << 20);
    EXPECT_THROW(zeros({1 << 19}, float64), std::bad_alloc);  // 4 MiB, 64-byte aligned
    EXPECT_EQ(limit.largest(), std::size_t{4} << 20);
  }
  EXPECT_EQ(zeros({1 << 19}, float64).numel(), 1 << 19);  // disarmed: served
}

}  // namespace
}  // namespace lucid::test
