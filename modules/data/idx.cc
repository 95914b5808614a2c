#include "modules/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "framework/errors.h"

namespace lucid::data {
namespace {

constexpr std::size_t kReadChunk = std::size_t{1} << 24;  // the most bytes per gzread and per growth step
constexpr std::size_t kFirstChunk = std::size_t{1} << 16;  // the first growth step of the data buffer

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw ValueError("IDX file '" + path.string() + "': " + what);
}

std::string hex_byte(unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", value);
  return buf;
}

// The IDX element type named by a type byte, for error messages.
std::string type_name(unsigned type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "unknown";
  }
}

struct GzClose {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzClose>;

// Reads up to n bytes (fewer only at the end of the stream); ValueError on a corrupt stream.
std::size_t read_some(gzFile file, std::uint8_t* out, std::size_t n, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < n) {
    const unsigned want = static_cast<unsigned>(std::min(n - done, kReadChunk));
    const int got = gzread(file, out + done, want);
    int code = Z_OK;
    const char* message = gzerror(file, &code);
    if (got < 0) fail(path, std::string("read error: ") + message);
    // zlib reports a gzip stream cut short (even inside its CRC trailer) only as this soft error.
    if (code == Z_BUF_ERROR) fail(path, "truncated gzip stream (" + std::string(message) + ")");
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path) {
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) fail(path, "cannot open the file");
  gzbuffer(file.get(), 1 << 17);

  std::uint8_t magic[4];
  if (const std::size_t got = read_some(file.get(), magic, 4, path); got < 4) {
    fail(path, "truncated: " + std::to_string(got) + " bytes, shorter than the 4-byte magic");
  }
  if (magic[0] != 0 || magic[1] != 0) {
    fail(path, "bad magic " + hex_byte(magic[0]) + " " + hex_byte(magic[1]) + " " + hex_byte(magic[2]) + " " +
                   hex_byte(magic[3]) + " (expected 0x00 0x00 <type> <ndims>)");
  }
  if (magic[2] != 0x08) {
    fail(path, "unsupported element type " + hex_byte(magic[2]) + " (" + type_name(magic[2]) +
                   "); only 0x08 (unsigned byte) is supported");
  }
  const std::size_t ndims = magic[3];
  if (ndims == 0) fail(path, "the header declares 0 dimensions");

  std::vector<std::uint8_t> dim_bytes(4 * ndims);
  if (read_some(file.get(), dim_bytes.data(), dim_bytes.size(), path) < dim_bytes.size()) {
    fail(path, "truncated inside the " + std::to_string(ndims) + " header dimensions");
  }
  Shape::Dims dims(ndims);
  for (std::size_t i = 0; i < ndims; ++i) {  // big-endian u32
    const std::uint8_t* b = &dim_bytes[4 * i];
    dims[i] = (std::int64_t{b[0]} << 24) | (std::int64_t{b[1]} << 16) | (std::int64_t{b[2]} << 8) | b[3];
  }
  Shape shape;
  try {
    shape = Shape(dims);
  } catch (const ValueError& e) {
    fail(path, std::string("bad header dimensions: ") + e.what());
  }
  if (shape.numel() > kIdxMaxElements) {
    fail(path, "header dimensions " + shape.str() + " claim " + std::to_string(shape.numel()) +
                   " elements, more than the limit of " + std::to_string(kIdxMaxElements));
  }

  // Grow the buffer with the data actually present, never to the claimed size up front: each step at
  // most doubles it (from kFirstChunk, by at most kReadChunk), so a short file claiming gigabytes costs
  // at most about twice the data it holds, not a 16 MiB buffer.
  const auto total = static_cast<std::size_t>(shape.numel());
  IdxArray out{shape, {}};
  std::size_t done = 0;
  while (done < total) {
    const std::size_t chunk = std::min({total - done, kReadChunk, std::max(done, kFirstChunk)});
    out.data.resize(done + chunk);
    const std::size_t got = read_some(file.get(), out.data.data() + done, chunk, path);
    done += got;
    if (got < chunk) {
      fail(path, "truncated: the header " + shape.str() + " needs " + std::to_string(total) +
                     " data bytes, the file has " + std::to_string(done));
    }
  }
  std::uint8_t extra;
  if (read_some(file.get(), &extra, 1, path) != 0) {
    fail(path, "trailing bytes after the " + std::to_string(total) + " data bytes of shape " + shape.str());
  }
  return out;
}

}  // namespace lucid::data
