// Storage's recycling of large buffers (framework/storage.h): a freed buffer of kRecycleFrom bytes
// or more serves the next request of its size (the most recently freed one first), small ones are
// not kept, the total kept stays under kRecycleLimit (oldest given back first), and
// release_cached_memory empties the cache; buffers of kHugePageFrom bytes or more are 2 MiB aligned
// and eligible for transparent huge pages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "lucid.h"

namespace lucid {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(Storage, AFreedLargeBufferServesTheNextRequestOfItsSize) {
  release_cached_memory();
  auto first = std::make_unique<Storage>(kMiB);
  const void* address = first->data();
  first.reset();
  EXPECT_EQ(cached_memory(), kMiB);
  const Storage other_size(kMiB + 64);  // not this size: a new buffer, the kept one stays
  EXPECT_NE(other_size.data(), address);
  EXPECT_EQ(cached_memory(), kMiB);
  const Storage same_size(kMiB);
  EXPECT_EQ(same_size.data(), address);
  EXPECT_EQ(cached_memory(), 0u);
}

TEST(Storage, TheMostRecentlyFreedBufferOfASizeIsReusedFirst) {
  release_cached_memory();
  std::vector<std::unique_ptr<Storage>> buffers;
  for (int i = 0; i < 3; ++i) buffers.push_back(std::make_unique<Storage>(kMiB));
  std::vector<const void*> addresses;
  for (const auto& b : buffers) addresses.push_back(b->data());
  buffers.clear();  // frees in order 0, 1, 2
  // A loop that frees and asks again keeps getting the buffer it just freed, not the next one.
  for (int step = 0; step < 3; ++step) {
    const Storage again(kMiB);
    EXPECT_EQ(again.data(), addresses[2]) << "step " << step;
  }
  const Storage a(kMiB), b(kMiB);
  EXPECT_EQ(a.data(), addresses[2]);
  EXPECT_EQ(b.data(), addresses[1]);
}

TEST(Storage, SmallBuffersAreNotKept) {
  release_cached_memory();
  { const Storage small(Storage::kRecycleFrom - 1); }
  EXPECT_EQ(cached_memory(), 0u);
}

TEST(Storage, KeptBytesStayUnderTheLimitOldestGivenBackFirst) {
  release_cached_memory();
  const std::size_t size = Storage::kRecycleLimit / 5 * 2;  // two fit, a third does not
  std::vector<std::unique_ptr<Storage>> buffers;
  for (int i = 0; i < 3; ++i) buffers.push_back(std::make_unique<Storage>(size + static_cast<std::size_t>(i) * 64));
  const void* newest = buffers[2]->data();
  buffers.clear();  // frees in order 0, 1, 2: keeping 2 gives back 0
  EXPECT_EQ(cached_memory(), 2 * size + 3 * 64);
  const Storage again(size + 2 * 64);
  EXPECT_EQ(again.data(), newest);
  const Storage oldest(size);  // given back: a fresh allocation, nothing taken from the cache
  EXPECT_EQ(cached_memory(), size + 64);
}

TEST(Storage, ReleaseGivesEverythingBack) {
  release_cached_memory();
  { const Storage a(2 * kMiB), b(3 * kMiB); }
  EXPECT_EQ(cached_memory(), 5 * kMiB);
  EXPECT_EQ(release_cached_memory(), 5 * kMiB);
  EXPECT_EQ(cached_memory(), 0u);
}

TEST(Storage, TensorsReuseTheBuffersOfFreedTensors) {
  release_cached_memory();
  const void* address = nullptr;
  {
    const Tensor t = zeros({512, 512});  // 1 MiB of float32
    address = t.data<float>();
  }
  const Tensor u = ones({512, 512});
  EXPECT_EQ(u.data<float>(), address);
  const std::vector<float> values = u.to_vector<float>();
  EXPECT_EQ(std::count(values.begin(), values.end(), 1.0f), 512 * 512);  // none of the old zeros show
}

// The "THPeligible:" value of the mapping that holds `address` in /proc/self/smaps ("" if not found).
std::string huge_page_eligibility(const void* address) {
  const auto where = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream header(line);
    if (header >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= where && where < end;
    } else if (inside && line.rfind("THPeligible:", 0) == 0) {
      return line.substr(line.find_first_not_of(' ', 12));
    }
  }
  return "";
}

bool huge_pages_never() {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(setting, modes);
  return modes.empty() || modes.find("[never]") != std::string::npos;
}

TEST(Storage, LargeBuffersStartOnA2MiBBoundaryAndMayUseHugePages) {
  release_cached_memory();
  const Storage large(Storage::kHugePageFrom + 4096);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(large.data()) % Storage::kHugePage, 0u);
  if (huge_pages_never()) GTEST_SKIP() << "transparent huge pages are off on this system";
  EXPECT_EQ(huge_page_eligibility(large.data()), "1");
  const Storage smaller(Storage::kHugePageFrom - 4096);  // below the threshold: 64-byte alignment only
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(smaller.data()) % Storage::kAlignment, 0u);
}

}  // namespace
}  // namespace lucid
