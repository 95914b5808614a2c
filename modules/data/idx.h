// IDX files (the MNIST family's format), plain or gzip-compressed.
//
// Layout: magic bytes 0x00 0x00 <type> <ndims>, then ndims big-endian u32 dimensions, then the
// elements in row-major order. Only type 0x08 (unsigned byte) is supported, which is what the
// MNIST and Fashion-MNIST image and label files hold.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "framework/shape.h"

namespace lucid::data {

// The most elements read_idx accepts (4 GiB of bytes); a header claiming more is rejected before
// anything is allocated.
inline constexpr std::int64_t kIdxMaxElements = std::int64_t{1} << 32;

// An IDX array as stored: its dimensions and its raw unsigned bytes, row-major. Kept as bytes
// (a tensor holds float32, float64 or int64): callers convert and scale as they need (see fashion_mnist.h).
struct IdxArray {
  Shape shape;
  std::vector<std::uint8_t> data;  // shape.numel() bytes
};

// Reads the IDX file at `path`, gzip-compressed or not (detected from the content). Throws
// ValueError naming the path and the fault for a missing or unreadable file, a bad magic, an
// unsupported type, no dimensions, a header claiming more than kIdxMaxElements elements, a
// corrupt gzip stream, fewer data bytes than the header claims, or bytes after the data. Memory
// grows with the bytes actually read, so a corrupt header never causes a huge allocation.
IdxArray read_idx(const std::filesystem::path& path);

}  // namespace lucid::data
