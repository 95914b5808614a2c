#include "framework/storage.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <new>
#include <vector>

#include <sys/mman.h>  // madvise

#include <sanitizer/asan_interface.h>  // ASAN_(UN)POISON_MEMORY_REGION: no-ops without AddressSanitizer

namespace lucid {
namespace {

std::align_val_t alignment_of(std::size_t nbytes) {
  return std::align_val_t{nbytes >= Storage::kHugePageFrom ? Storage::kHugePage : Storage::kAlignment};
}

std::byte* allocate(std::size_t nbytes) {
  if (nbytes < Storage::kAlignFrom) return static_cast<std::byte*>(::operator new(nbytes == 0 ? 1 : nbytes));
  auto* p = static_cast<std::byte*>(::operator new(nbytes, alignment_of(nbytes)));
  // Advice only: where the kernel has no huge page to give (or THP is off), the buffer stays on
  // small pages, so the result is not checked.
  if (nbytes >= Storage::kHugePageFrom) madvise(p, nbytes, MADV_HUGEPAGE);
  return p;
}

void deallocate(std::byte* p, std::size_t nbytes) {
  if (nbytes >= Storage::kAlignFrom) {
    ::operator delete(p, alignment_of(nbytes));
  } else {
    ::operator delete(p);
  }
}

// The freed large buffers kept for reuse, oldest first. Kept buffers are poisoned, so under
// AddressSanitizer a use of a freed tensor's data is still reported.
class Recycler {
 public:
  // The most recently kept buffer of the size: the one most likely still in cache. (Taking the
  // oldest would rotate a loop's tensor through every kept buffer of its size, each step touching
  // memory that has left the cache.)
  std::byte* take(std::size_t nbytes) {
    const std::lock_guard lock(mutex_);
    const auto it = std::find_if(kept_.rbegin(), kept_.rend(), [&](const Block& b) { return b.nbytes == nbytes; });
    if (it == kept_.rend()) return nullptr;
    std::byte* p = it->data;
    bytes_ -= nbytes;
    kept_.erase(std::next(it).base());
    ASAN_UNPOISON_MEMORY_REGION(p, nbytes);
    return p;
  }

  // Keeps p, first giving back the oldest buffers until it fits under the limit.
  void keep(std::byte* p, std::size_t nbytes) {
    if (nbytes > Storage::kRecycleLimit) return deallocate(p, nbytes);
    std::vector<Block> evicted;
    {
      const std::lock_guard lock(mutex_);
      while (bytes_ + nbytes > Storage::kRecycleLimit) {
        evicted.push_back(kept_.front());
        bytes_ -= kept_.front().nbytes;
        kept_.erase(kept_.begin());
      }
      ASAN_POISON_MEMORY_REGION(p, nbytes);
      kept_.push_back({p, nbytes});
      bytes_ += nbytes;
    }
    for (const Block& b : evicted) free(b);
  }

  std::size_t release() {
    std::vector<Block> all;
    {
      const std::lock_guard lock(mutex_);
      all.swap(kept_);
      bytes_ = 0;
    }
    std::size_t released = 0;
    for (const Block& b : all) {
      released += b.nbytes;
      free(b);
    }
    return released;
  }

  std::size_t bytes() {
    const std::lock_guard lock(mutex_);
    return bytes_;
  }

 private:
  struct Block {
    std::byte* data;
    std::size_t nbytes;
  };
  static void free(const Block& b) {
    ASAN_UNPOISON_MEMORY_REGION(b.data, b.nbytes);
    deallocate(b.data, b.nbytes);
  }

  std::mutex mutex_;
  std::vector<Block> kept_;
  std::size_t bytes_ = 0;
};

// Never destroyed: tensors in static objects may be freed after every other static is gone.
Recycler& recycler() {
  static Recycler* const instance = new Recycler;
  return *instance;
}

std::byte* acquire(std::size_t nbytes) {
  if (nbytes >= Storage::kRecycleFrom) {
    if (std::byte* p = recycler().take(nbytes)) return p;
  }
  return allocate(nbytes);
}

}  // namespace

Storage::Storage(std::size_t nbytes) : data_(acquire(nbytes), Delete{nbytes}), nbytes_(nbytes) {}

Storage::Storage(void* external, std::size_t nbytes, Borrowed)
    : data_(static_cast<std::byte*>(external), Delete{nbytes, true}), nbytes_(nbytes) {}

void Storage::Delete::operator()(std::byte* p) const {
  if (borrowed) return;
  if (nbytes >= kRecycleFrom) {
    recycler().keep(p, nbytes);
  } else {
    deallocate(p, nbytes);
  }
}

std::size_t release_cached_memory() { return recycler().release(); }
std::size_t cached_memory() { return recycler().bytes(); }

}  // namespace lucid
