// read_idx: plain and gzip IDX files written by the test, every kind of corrupt file, and the real
// Fashion-MNIST test labels when the Debian package is installed.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/modules/file_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using data::IdxArray;
using data::read_idx;

Bytes iota_bytes(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return out;
}

// The ValueError message of reading `bytes` as a plain IDX file; fails unless it names the path.
std::string read_error(const TempDir& dir, const Bytes& bytes) {
  const auto path = dir / "bad.idx";
  write_bytes(path, bytes);
  const std::string message = error_message<ValueError>([&] { read_idx(path); });
  EXPECT_TRUE(contains(message, path.string()));
  return message;
}

TEST(ReadIdx, ReadsPlainFile) {
  TempDir dir;
  const Bytes data = iota_bytes(24);
  write_bytes(dir / "a.idx", idx_bytes({2, 3, 4}, data));
  const IdxArray a = read_idx(dir / "a.idx");
  EXPECT_EQ(a.shape, (Shape{2, 3, 4}));
  EXPECT_EQ(a.data, data);
}

TEST(ReadIdx, ReadsGzipFile) {
  TempDir dir;
  const Bytes data = iota_bytes(5 * 28 * 28);
  write_gzip(dir / "images.gz", idx_bytes({5, 28, 28}, data));
  const Bytes raw = read_bytes(dir / "images.gz");
  ASSERT_GE(raw.size(), 2u);
  ASSERT_EQ(raw[0], 0x1f);  // really gzip-compressed
  ASSERT_EQ(raw[1], 0x8b);
  const IdxArray a = read_idx(dir / "images.gz");
  EXPECT_EQ(a.shape, (Shape{5, 28, 28}));
  EXPECT_EQ(a.data, data);
}

TEST(ReadIdx, ReadsLabelsAndEmptyArrays) {
  TempDir dir;
  write_gzip(dir / "labels.gz", idx_bytes({4}, {9, 0, 3, 255}));
  EXPECT_EQ(read_idx(dir / "labels.gz").data, (Bytes{9, 0, 3, 255}));
  write_bytes(dir / "empty.idx", idx_bytes({0, 28}, {}));
  const IdxArray empty = read_idx(dir / "empty.idx");
  EXPECT_EQ(empty.shape, (Shape{0, 28}));
  EXPECT_TRUE(empty.data.empty());
}

TEST(ReadIdx, RejectsBadMagic) {
  TempDir dir;
  Bytes bytes = idx_bytes({3}, {1, 2, 3});
  bytes[0] = 0x01;
  EXPECT_TRUE(contains(read_error(dir, bytes), "bad magic 0x01 0x00 0x08 0x01"));
  bytes = idx_bytes({3}, {1, 2, 3});
  bytes[1] = 0x08;
  EXPECT_TRUE(contains(read_error(dir, bytes), "bad magic"));
}

TEST(ReadIdx, RejectsUnsupportedType) {
  TempDir dir;
  EXPECT_TRUE(contains(read_error(dir, idx_bytes({1}, {0, 0, 0, 0}, 0x0D)), "unsupported element type 0x0d (float32)"));
  EXPECT_TRUE(contains(read_error(dir, idx_bytes({1}, {0}, 0x42)), "0x42 (unknown)"));
}

TEST(ReadIdx, RejectsZeroDimensions) {
  TempDir dir;
  EXPECT_TRUE(contains(read_error(dir, idx_bytes({}, {})), "0 dimensions"));
}

TEST(ReadIdx, RejectsEveryTruncationOfAPlainFile) {
  TempDir dir;
  const Bytes full = idx_bytes({2, 3}, iota_bytes(6));
  for (std::size_t n = 0; n < full.size(); ++n) {
    SCOPED_TRACE("length " + std::to_string(n));
    EXPECT_TRUE(contains(read_error(dir, Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n))),
                         "truncated"));
  }
  EXPECT_TRUE(contains(read_error(dir, Bytes(full.begin(), full.end() - 1)), "needs 6 data bytes, the file has 5"));
}

TEST(ReadIdx, RejectsEveryTruncationOfAGzipFile) {
  TempDir dir;
  write_gzip(dir / "full.gz", idx_bytes({4, 5}, iota_bytes(20)));
  const Bytes full = read_bytes(dir / "full.gz");
  for (std::size_t n = 0; n < full.size(); ++n) {
    SCOPED_TRACE("length " + std::to_string(n) + " of " + std::to_string(full.size()));
    const auto path = dir / "cut.gz";
    write_bytes(path, Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
    EXPECT_TRUE(contains(error_message<ValueError>([&] { read_idx(path); }), path.string()));
  }
}

TEST(ReadIdx, RejectsCorruptGzipStream) {
  TempDir dir;
  write_gzip(dir / "full.gz", idx_bytes({64}, iota_bytes(64)));
  Bytes bytes = read_bytes(dir / "full.gz");
  for (std::size_t i = 12; i < bytes.size() - 8; ++i) bytes[i] ^= 0x5a;  // scramble the deflate data
  write_bytes(dir / "corrupt.gz", bytes);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { read_idx(dir / "corrupt.gz"); }), "corrupt.gz"));
}

TEST(ReadIdx, RejectsTrailingBytes) {
  TempDir dir;
  EXPECT_TRUE(contains(read_error(dir, idx_bytes({2}, {1, 2, 3})), "trailing bytes after the 2 data bytes"));
}

TEST(ReadIdx, RejectsHugeHeadersBeforeAllocating) {
  TempDir dir;
  // 2^20 · 2^20 = 2^40 elements claimed, 3 bytes present.
  EXPECT_TRUE(contains(read_error(dir, idx_bytes({1u << 20, 1u << 20}, {1, 2, 3})),
                       "claim 1099511627776 elements, more than the limit of 4294967296"));
  // (2^32 − 1)^3 overflows int64.
  EXPECT_TRUE(contains(read_error(dir, idx_bytes({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {})), "bad header dimensions"));
  // Exactly the limit is accepted by the header check; the missing data is then reported, after
  // reading only what the file holds.
  EXPECT_TRUE(contains(read_error(dir, idx_bytes({1u << 16, 1u << 16}, {1, 2})), "the file has 2"));
}

TEST(ReadIdx, RejectsMissingFile) {
  TempDir dir;
  const auto path = dir / "nothing.gz";
  const std::string message = error_message<ValueError>([&] { read_idx(path); });
  EXPECT_TRUE(contains(message, path.string()));
  EXPECT_TRUE(contains(message, "cannot open"));
}

TEST(ReadIdx, RealFashionMnistTestLabels) {
  const std::filesystem::path path = std::filesystem::path(data::kFashionMnistDir) / "t10k-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not installed (Debian dataset-fashion-mnist)";
  const IdxArray labels = read_idx(path);
  ASSERT_EQ(labels.shape, Shape{10000});
  std::vector<int> counts(256, 0);
  for (std::uint8_t label : labels.data) ++counts[label];
  for (int c = 0; c < 10; ++c) EXPECT_EQ(counts[c], 1000) << "class " << c;
  for (int c = 10; c < 256; ++c) EXPECT_EQ(counts[c], 0) << "class " << c;
}

}  // namespace
}  // namespace lucid::test
