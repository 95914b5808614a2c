// Storage: one reference-counted buffer shared by a tensor and its views. Buffers of kAlignFrom bytes
// and more are 64-byte aligned (whole cache lines for the SIMD kernels); smaller ones come from plain
// operator new (16-byte aligned), which glibc serves from its fast per-thread cache: tiny tensors
// are the graph engine's hot path. The kernels use unaligned loads, so both are valid inputs.
//
// Buffers of kHugePageFrom bytes and more start on a 2 MiB boundary and are advised to the kernel as
// transparent-huge-page candidates (madvise MADV_HUGEPAGE; a no-op where THP is "never"). A kernel
// streaming such tensors then crosses a page boundary every 2 MiB instead of every 4 KiB: fewer TLB
// misses, and the hardware prefetchers, which stop at 4 KiB pages, run on (LayerNorm's backward over
// (12608, 384): 2.8-3.1 -> 2.4 ms, its forward 2.0-2.2 -> 1.7-1.8 ms, 2026-12-06).
//
// Buffers of kRecycleFrom bytes and more are recycled: a freed one is kept (kRecycleLimit bytes in
// all, the oldest given back first) for the next request of exactly its size, the most recently
// freed of that size first (still in cache). A training loop asks
// for the same sizes every step; glibc would return such blocks to the system and fault the same
// pages in again, zero-filled, the next step.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace lucid {

class Storage {
 public:
  static constexpr std::size_t kAlignment = 64;
  static constexpr std::size_t kAlignFrom = 1024;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kHugePageFrom = std::size_t{4} << 20;
  static constexpr std::size_t kRecycleFrom = std::size_t{256} << 10;
  static constexpr std::size_t kRecycleLimit = std::size_t{512} << 20;

  // Uninitialised buffer of nbytes bytes (a recycled one holds what its last tensor left there).
  explicit Storage(std::size_t nbytes);
  // The caller's nbytes bytes at `external`, neither copied nor freed (from_blob): the caller keeps
  // them alive as long as a tensor uses them.
  struct Borrowed {};
  Storage(void* external, std::size_t nbytes, Borrowed);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }
  std::size_t nbytes() const { return nbytes_; }

  // How many times the buffer has been written in place (Tensor::_version(): views and detach()
  // share it). A backward that saved a tensor checks it is unchanged (autodiff/saved_tensor.h).
  std::uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  struct Delete {
    std::size_t nbytes;
    bool borrowed = false;  // the caller's memory: not ours to free or recycle
    void operator()(std::byte* p) const;
  };
  std::unique_ptr<std::byte[], Delete> data_;
  std::size_t nbytes_;
  std::atomic<std::uint64_t> version_{0};
};

// Gives every recycled buffer kept for reuse back to the system; returns the bytes released.
std::size_t release_cached_memory();
// The bytes currently kept for reuse.
std::size_t cached_memory();

}  // namespace lucid
