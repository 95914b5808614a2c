// SavedTensor: a tensor a backward function keeps, with the storage version it had when saved.
// Unpacking it checks the version: an in-place write since then (copy_, add_, an optimizer step,
// ...) would make the backward read values the forward never saw, so it raises PyTorch's error
// instead of returning a silently wrong gradient. Every backward rule saves its tensors this way.
#pragma once

#include <cstdint>

#include "framework/tensor.h"

namespace lucid::autograd {

class Node;

class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& tensor) : tensor_(tensor), version_(tensor.defined() ? tensor._version() : 0) {}
  // A tensor expected at another version: an in-place op's output, saved before the op writes it.
  SavedTensor(const Tensor& tensor, std::uint64_t expected_version) : tensor_(tensor), version_(expected_version) {}

  // The saved tensor (undefined if an undefined one was saved). RuntimeError naming `node`, the
  // tensor's shape, and the versions found and expected when it was written since it was saved.
  const Tensor& unpack(const Node& node) const {
    if (tensor_.defined() && tensor_._version() != version_) throw_modified(node);
    return tensor_;
  }
  bool defined() const { return tensor_.defined(); }

 private:
  [[noreturn]] void throw_modified(const Node& node) const;
  Tensor tensor_;
  std::uint64_t version_ = 0;
};

}  // namespace lucid::autograd
