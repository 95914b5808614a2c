// Size2: every 2-D size option (kernel size, stride, padding, dilation, pooling output size), as
// LibTorch's ExpandingArray<2>: one integer means both dimensions, two give (height, width). Unlike
// a std::array, a half-filled pair cannot be written: {.padding = 1} is (1, 1), never (1, 0).
//
//   lucid::nn::Conv2d conv(1, 8, 3, {.padding = 1});            // kernel (3, 3), padding (1, 1)
//   lucid::nn::Conv2d wide(1, 8, {1, 5}, {.padding = {0, 2}});
//   lucid::nn::Conv2d same(1, 8, 3, {.padding = lucid::nn::same});  // output size = input size (stride 1)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace lucid::nn {

class Size2 {
 public:
  constexpr Size2(std::int64_t both) : values_{both, both}, one_number_(true) {}  // NOLINT: implicit by design
  constexpr Size2(std::int64_t height, std::int64_t width) : values_{height, width} {}

  constexpr std::int64_t operator[](std::size_t i) const { return values_[i]; }
  constexpr const std::array<std::int64_t, 2>& values() const { return values_; }
  // As PyTorch prints a size it was given: "2" for one number, "(2, 3)" for a pair.
  std::string str() const {
    return one_number_ ? std::to_string(values_[0]) : "(" + std::to_string(values_[0]) + ", " + std::to_string(values_[1]) + ")";
  }
  // Equal values, however they were written.
  friend constexpr bool operator==(const Size2& a, const Size2& b) { return a.values_ == b.values_; }

 private:
  std::array<std::int64_t, 2> values_;
  bool one_number_ = false;
};

// A size option that may be left unset (pooling's stride, the kernel size when unset); written the
// same ways as Size2.
class OptionalSize2 : public std::optional<Size2> {
 public:
  constexpr OptionalSize2() = default;
  constexpr OptionalSize2(std::int64_t both) : std::optional<Size2>(Size2(both)) {}  // NOLINT: implicit by design
  constexpr OptionalSize2(std::int64_t height, std::int64_t width) : std::optional<Size2>(Size2(height, width)) {}
  constexpr OptionalSize2(Size2 size) : std::optional<Size2>(size) {}  // NOLINT: implicit by design
};

// `same` padding: the output has the input's height and width (stride 1 only, as PyTorch).
struct SamePadding {};
inline constexpr SamePadding same{};

// A convolution's padding: a Size2, or `same`.
class Conv2dPadding : public Size2 {
 public:
  constexpr Conv2dPadding(std::int64_t both) : Size2(both) {}  // NOLINT: implicit by design
  constexpr Conv2dPadding(std::int64_t height, std::int64_t width) : Size2(height, width) {}
  constexpr Conv2dPadding(Size2 size) : Size2(size) {}             // NOLINT: implicit by design
  constexpr Conv2dPadding(SamePadding) : Size2(0), same_(true) {}  // NOLINT: implicit by design
  constexpr bool is_same() const { return same_; }

 private:
  bool same_ = false;
};

}  // namespace lucid::nn
