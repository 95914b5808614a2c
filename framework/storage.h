// Storage: one 64-byte aligned, reference-counted buffer shared by a tensor and its views.
#pragma once

#include <cstddef>
#include <memory>

namespace lucid {

class Storage {
 public:
  static constexpr std::size_t kAlignment = 64;

  // Uninitialised buffer of nbytes bytes.
  explicit Storage(std::size_t nbytes);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }
  std::size_t nbytes() const { return nbytes_; }

 private:
  struct AlignedDelete {
    void operator()(std::byte* p) const;
  };
  std::unique_ptr<std::byte[], AlignedDelete> data_;
  std::size_t nbytes_;
};

}  // namespace lucid
