// Byte-level mutations for the reader fuzz tests: bit flips, interesting bytes and integers, random
// bytes, truncation, insertion, deletion and duplication of ranges. Each mutation edits the bytes in
// place and returns a short description ("flip bit 3 of byte 17") for the failure report.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/modules/file_util.h"

namespace lucid::test::fuzz {

using Rng = std::mt19937_64;

// Uniform in [0, n); 0 when n is 0.
inline std::size_t pick(Rng& rng, std::size_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

// One element of a non-empty list, uniformly.
template <typename T>
const T& choose(Rng& rng, const std::vector<T>& values) {
  return values[pick(rng, values.size())];
}

// Bytes that often sit on a boundary of a check.
inline const std::vector<std::uint8_t> kInterestingBytes{0x00, 0x01, 0x7f, 0x80, 0xff};

// Integers at the boundaries of signed and unsigned 32- and 64-bit fields.
inline const std::vector<std::uint64_t> kInterestingIntegers{
    0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, std::uint64_t{1} << 32,
    std::uint64_t{1} << 62, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff};

// The little-endian bytes of the low `width` bytes of value.
inline Bytes le_bytes(std::uint64_t value, std::size_t width) {
  Bytes out(width);
  for (std::size_t i = 0; i < width; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
  return out;
}

// Applies one random byte-level mutation to bytes and describes it.
inline std::string mutate_bytes(Bytes& bytes, Rng& rng) {
  const std::size_t size = bytes.size();
  const std::size_t at = pick(rng, size);
  const std::string where = " at byte " + std::to_string(at);
  switch (pick(rng, size == 0 ? 1 : 9)) {  // an empty input can only grow
    case 0: {
      const auto count = 1 + pick(rng, 16);
      Bytes extra(count);
      for (auto& b : extra) b = static_cast<std::uint8_t>(pick(rng, 256));
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), extra.begin(), extra.end());
      return "insert " + std::to_string(count) + " random bytes" + where;
    }
    case 1: {
      const auto bit = pick(rng, 8);
      bytes[at] ^= static_cast<std::uint8_t>(1u << bit);
      return "flip bit " + std::to_string(bit) + where;
    }
    case 2: {
      bytes[at] = choose(rng, kInterestingBytes);
      return "set byte to " + std::to_string(bytes[at]) + where;
    }
    case 3: {
      bytes[at] = static_cast<std::uint8_t>(pick(rng, 256));
      return "set byte to " + std::to_string(bytes[at]) + where;
    }
    case 4: {
      bytes.resize(at);
      return "truncate to " + std::to_string(at) + " bytes";
    }
    case 5: {
      const auto count = std::min(size - at, 1 + pick(rng, 16));
      const auto first = bytes.begin() + static_cast<std::ptrdiff_t>(at);
      bytes.erase(first, first + static_cast<std::ptrdiff_t>(count));
      return "delete " + std::to_string(count) + " bytes" + where;
    }
    case 6: {
      const auto count = std::min(size - at, 1 + pick(rng, 32));
      const Bytes chunk(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                        bytes.begin() + static_cast<std::ptrdiff_t>(at + count));
      const auto to = pick(rng, size + 1);
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(to), chunk.begin(), chunk.end());
      return "copy " + std::to_string(count) + " bytes" + where + " to byte " + std::to_string(to);
    }
    case 7: {
      const std::size_t width = pick(rng, 2) ? 8 : 4;
      const std::uint64_t value = choose(rng, kInterestingIntegers);
      Bytes field = le_bytes(value, width);
      const bool big_endian = pick(rng, 2);
      if (big_endian) std::reverse(field.begin(), field.end());
      for (std::size_t i = 0; i < width && at + i < size; ++i) bytes[at + i] = field[i];
      return "write " + std::to_string(value) + " as " + std::to_string(width) + "-byte " +
             (big_endian ? "big" : "little") + "-endian" + where;
    }
    default: {
      const auto count = 1 + pick(rng, 16);
      for (std::size_t i = 0; i < count; ++i) bytes.push_back(static_cast<std::uint8_t>(pick(rng, 256)));
      return "append " + std::to_string(count) + " random bytes";
    }
  }
}

}  // namespace lucid::test::fuzz
