// Storage: one reference-counted buffer shared by a tensor and its views. Buffers of kAlignFrom bytes
// and more are 64-byte aligned (whole cache lines for the SIMD kernels); smaller ones come from plain
// operator new (16-byte aligned), which glibc serves from its fast per-thread cache: tiny tensors
// are the graph engine's hot path. The kernels use unaligned loads, so both are valid inputs.
#pragma once

#include <cstddef>
#include <memory>

namespace lucid {

class Storage {
 public:
  static constexpr std::size_t kAlignment = 64;
  static constexpr std::size_t kAlignFrom = 1024;

  // Uninitialised buffer of nbytes bytes.
  explicit Storage(std::size_t nbytes);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }
  std::size_t nbytes() const { return nbytes_; }

 private:
  struct Delete {
    bool aligned;
    void operator()(std::byte* p) const;
  };
  std::unique_ptr<std::byte[], Delete> data_;
  std::size_t nbytes_;
};

}  // namespace lucid
