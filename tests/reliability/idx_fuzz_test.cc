// Mutation fuzzing of the IDX reader (data::read_idx) from the seeds in tests/reliability/corpus/idx,
// plain and gzip-compressed: byte-level mutations, header edits (element type, dimension count,
// dimensions set to boundary values, data cut short or extended), and for gzip, payloads compressed
// after editing (levels 0-9) whose compressed bytes are then corrupted, cut inside the trailer,
// followed by garbage or by a second gzip member. Each input must load or throw ValueError; a loaded
// array holds shape.numel() bytes, and for a plain file exactly the bytes after its header.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/reliability/fuzz_harness.h"

namespace lucid::test::fuzz {
namespace {

// bytes gzip-compressed in memory at `level` (0: stored blocks).
Bytes gzip(const Bytes& bytes, int level) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  Bytes out(deflateBound(&stream, static_cast<uLong>(bytes.size())));
  stream.next_in = const_cast<Bytef*>(bytes.data());
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

// The big-endian u32 at bytes[at].
std::uint32_t read_be32(const Bytes& bytes, std::size_t at) {
  return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) | (std::uint32_t{bytes[at + 2]} << 8) |
         bytes[at + 3];
}

// One edit of an IDX header or of the data length, or a byte-level mutation.
std::string mutate_idx(Bytes& bytes, Rng& rng) {
  if (bytes.size() < 4 || pick(rng, 3) == 0) return mutate_bytes(bytes, rng);
  const std::size_t ndims = bytes[3];
  const std::size_t dims_in_file = std::min(ndims, (bytes.size() - 4) / 4);
  switch (pick(rng, 4)) {
    case 0: {
      bytes[2] = choose(rng, std::vector<std::uint8_t>{0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xff});
      return "type := " + std::to_string(bytes[2]);
    }
    case 1: {
      const std::vector<std::size_t> counts{0, 1, 2, 3, 4, 5, ndims - 1, ndims + 1, 0x7f, 0xff};
      bytes[3] = static_cast<std::uint8_t>(choose(rng, counts));
      return "ndims := " + std::to_string(bytes[3]);
    }
    case 2: {
      if (dims_in_file == 0) return mutate_bytes(bytes, rng);
      const std::size_t d = pick(rng, dims_in_file);
      const std::uint32_t old = read_be32(bytes, 4 + 4 * d);
      const std::vector<std::uint32_t> values{0,          1,          2,          old - 1,    old + 1,
                                              2 * old,    0x7fffffff, 0x80000000, 0xffffffff, 0x10000,
                                              1u << 24,   28};
      const std::uint32_t value = choose(rng, values);
      for (std::size_t k = 0; k < 4; ++k) bytes[4 + 4 * d + k] = static_cast<std::uint8_t>(value >> (24 - 8 * k));
      return "dim " + std::to_string(d) + " := " + std::to_string(value);
    }
    default: {
      const std::size_t header = 4 + 4 * ndims;
      const std::size_t data = bytes.size() > header ? bytes.size() - header : 0;
      const std::size_t count = 1 + pick(rng, data + 1);
      if (pick(rng, 2) && data > 0) {
        bytes.resize(bytes.size() - std::min(count, data));
        return "drop " + std::to_string(std::min(count, data)) + " data bytes";
      }
      bytes.resize(bytes.size() + count, 0x5a);
      return "append " + std::to_string(count) + " data bytes";
    }
  }
}

// A corruption specific to gzip streams, or a byte-level mutation of the compressed bytes.
std::string mutate_gzip(Bytes& bytes, Rng& rng) {
  switch (pick(rng, 5)) {
    case 0: {  // cut inside the CRC32/ISIZE trailer
      const std::size_t cut = std::min(bytes.size(), 1 + pick(rng, 8));
      bytes.resize(bytes.size() - cut);
      return "gzip: drop the last " + std::to_string(cut) + " bytes";
    }
    case 1: {  // a second member
      const Bytes member = gzip(Bytes{0, 0, 8, 1, 0, 0, 0, 1, 42}, 6);
      bytes.insert(bytes.end(), member.begin(), member.end());
      return "gzip: append a member";
    }
    case 2: {
      const Bytes garbage{0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad};
      bytes.insert(bytes.end(), garbage.begin(), garbage.end() - static_cast<std::ptrdiff_t>(pick(rng, 4)));
      return "gzip: append a partial header";
    }
    default: return "gzip: " + mutate_bytes(bytes, rng);
  }
}

// The seeds of the plain corpus.
std::vector<std::pair<std::string, Bytes>> plain_seeds() { return corpus_files("idx", ".idx"); }

// An IDX file holding more than 16 MiB of data once decompressed takes ≈1 byte per 1032: the
// reader may hold what the input can decompress to, never what a header merely claims.
std::size_t allocation_limit(const Input& input) { return (std::size_t{1} << 20) + 2064 * input.bytes.size(); }

// read_idx(path) loads with the right number of bytes (exactly the file's data when `plain`) or throws ValueError.
Outcome check_idx(const std::filesystem::path& path, const Input& input, bool plain) {
  Outcome out;
  data::IdxArray array;
  out.rejection = rejection([&] { array = data::read_idx(path); });
  if (!out.rejection.empty()) return out;
  const auto numel = static_cast<std::size_t>(array.shape.numel());
  if (array.data.size() != numel) {
    out.violation = "loaded " + std::to_string(array.data.size()) + " bytes for shape " + array.shape.str();
  } else if (plain) {
    const std::size_t header = 4 + 4 * array.shape.size();
    const auto data = input.bytes.begin() + static_cast<std::ptrdiff_t>(std::min(header, input.bytes.size()));
    if (input.bytes.size() != header + numel || !std::equal(array.data.begin(), array.data.end(), data)) {
      out.violation = "loaded shape " + array.shape.str() + " from a " + std::to_string(input.bytes.size()) +
                      "-byte file, or bytes other than the file's";
    }
  }
  return out;
}

// A short file claiming 2³² − 1 elements is rejected without a buffer much larger than what it holds
// (the reader used to allocate 16 MiB at once); a 300,000-byte file still reads whole across the
// buffer's growth steps. Plain and gzip.
TEST(IdxReader, DataBufferGrowsWithTheDataPresent) {
  const TempDir dir;
  const auto path = dir.path() / "file.idx";
  Bytes data(300'000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + i / 256);
  for (const bool compressed : {false, true}) {
    SCOPED_TRACE(compressed ? "gzip" : "plain");
    const auto encode = [&](const Bytes& bytes) { return compressed ? gzip(bytes, 6) : bytes; };
    write_bytes(path, encode(idx_bytes({0xffffffff}, Bytes(100, 7))));
    {
      AllocationLimit limit(std::size_t{1} << 20);
      EXPECT_TRUE(contains(error_message<ValueError>([&] { data::read_idx(path); }), "truncated"));
      EXPECT_LE(limit.largest(), std::size_t{1} << 17);
    }
    write_bytes(path, encode(idx_bytes({3, 100'000}, data)));
    const data::IdxArray array = data::read_idx(path);
    EXPECT_EQ(array.shape, (Shape{3, 100'000}));
    EXPECT_TRUE(array.data == data);
  }
}

TEST(IdxFuzz, EveryPlainInputLoadsOrThrowsValueError) {
  const auto corpus = plain_seeds();
  ASSERT_GE(corpus.size(), 4u);
  const auto generate = [&corpus](Rng& rng) {
    const auto& [name, bytes] = choose(rng, corpus);
    Input input{bytes, name};
    for (std::size_t k = 1 + pick(rng, 3); k > 0; --k) input.recipe += "; " + mutate_idx(input.bytes, rng);
    return input;
  };
  const auto check = [](const std::filesystem::path& path, const Input& input) {
    return check_idx(path, input, true);
  };
  run("idx", {.optimised = 400'000, .sanitized = 40'000}, generate, check, allocation_limit);
}

TEST(IdxFuzz, EveryGzipInputLoadsOrThrowsValueError) {
  const auto plain = plain_seeds();
  const auto compressed = corpus_files("idx", ".gz");
  ASSERT_GE(plain.size(), 4u);
  ASSERT_GE(compressed.size(), 2u);
  const auto generate = [&](Rng& rng) {
    if (pick(rng, 3) == 0) {  // a committed gzip file, corrupted
      const auto& [name, bytes] = choose(rng, compressed);
      Input input{bytes, name};
      for (std::size_t k = 1 + pick(rng, 2); k > 0; --k) input.recipe += "; " + mutate_gzip(input.bytes, rng);
      return input;
    }
    const auto& [name, bytes] = choose(rng, plain);
    Input input{bytes, name};
    for (std::size_t k = pick(rng, 3); k > 0; --k) input.recipe += "; " + mutate_idx(input.bytes, rng);
    const int level = static_cast<int>(pick(rng, 10));
    input.bytes = gzip(input.bytes, level);
    input.recipe += "; gzip level " + std::to_string(level);
    if (pick(rng, 2)) input.recipe += "; " + mutate_gzip(input.bytes, rng);
    return input;
  };
  const auto check = [](const std::filesystem::path& path, const Input& input) {
    return check_idx(path, input, false);
  };
  run("idx-gzip", {.optimised = 300'000, .sanitized = 30'000}, generate, check, allocation_limit);
}

}  // namespace
}  // namespace lucid::test::fuzz
