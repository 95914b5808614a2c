// LibTorch's torch::indexing forms for Tensor::index and index_put_: x.index({0, Slice(1, None), None,
// Ellipsis, mask, ids}). An integer selects (its dimension goes), a Slice views every step-th element of
// [start, stop) (Python's bounds: negative from the end, clamped), None inserts a size-1 dimension,
// Ellipsis stands for the dimensions not named; these are views sharing x's storage. An int64 tensor
// picks positions along its dimension and a 0/1 mask (lucid has no bool dtype: any floating tensor
// holding only 0 and 1, e.g. a comparison's result) the positions where it is 1; these copy, and
// with several of them PyTorch's advanced-indexing rules place the indexed dimensions.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <variant>

#include "framework/tensor.h"

namespace lucid::indexing {

inline constexpr std::nullopt_t None = std::nullopt;

struct EllipsisIndexType {};
inline constexpr EllipsisIndexType Ellipsis;

// [start, stop) every step-th element; an unset bound is the dimension's start or end, as Python's a[::].
class Slice {
 public:
  Slice(std::optional<std::int64_t> start = std::nullopt, std::optional<std::int64_t> stop = std::nullopt,
        std::optional<std::int64_t> step = std::nullopt)
      : start_(start), stop_(stop), step_(step.value_or(1)) {}
  std::optional<std::int64_t> start() const { return start_; }
  std::optional<std::int64_t> stop() const { return stop_; }
  std::int64_t step() const { return step_; }

 private:
  std::optional<std::int64_t> start_, stop_;
  std::int64_t step_;
};

// One entry of an index list: an integer, a Slice, None, Ellipsis or a tensor.
class TensorIndex {
 public:
  TensorIndex(std::nullopt_t) : value_(std::monostate{}) {}
  TensorIndex(EllipsisIndexType) : value_(EllipsisIndexType{}) {}
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  TensorIndex(I integer) : value_(static_cast<std::int64_t>(integer)) {}
  TensorIndex(Slice slice) : value_(slice) {}
  TensorIndex(Tensor tensor) : value_(std::move(tensor)) {}

  bool is_none() const { return std::holds_alternative<std::monostate>(value_); }
  bool is_ellipsis() const { return std::holds_alternative<EllipsisIndexType>(value_); }
  bool is_integer() const { return std::holds_alternative<std::int64_t>(value_); }
  bool is_slice() const { return std::holds_alternative<Slice>(value_); }
  bool is_tensor() const { return std::holds_alternative<Tensor>(value_); }
  std::int64_t integer() const { return std::get<std::int64_t>(value_); }
  const Slice& slice() const { return std::get<Slice>(value_); }
  const Tensor& tensor() const { return std::get<Tensor>(value_); }

 private:
  std::variant<std::monostate, EllipsisIndexType, std::int64_t, Slice, Tensor> value_;
};

}  // namespace lucid::indexing
