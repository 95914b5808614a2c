#include "modules/serialize/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "framework/kernels/layout.h"

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian data, which lucid copies as is: a big-endian host needs byte swaps");

namespace lucid {
namespace {

using nlohmann::json;

// The safetensors dtype code of each lucid dtype.
constexpr std::array<std::pair<DType, std::string_view>, 3> kDTypeCodes{
    {{float32, "F32"}, {float64, "F64"}, {int64, "I64"}}};

std::string_view dtype_code(DType dtype) {
  return std::find_if(kDTypeCodes.begin(), kDTypeCodes.end(), [&](const auto& c) { return c.first == dtype; })->second;
}

constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;  // the reference implementation's limit
// A valid header nests three levels ({name: {"shape": [...]}}); deeper ones are refused while parsing,
// before a million-level array costs seconds to build and free.
constexpr int kMaxHeaderDepth = 64;
constexpr const char* kMetadataKey = "__metadata__";

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw ValueError("safetensors file '" + path.string() + "': " + what);
}

constexpr std::size_t kBriefChars = 40;  // the longest JSON value an error message quotes whole

// Appends value as compact JSON to out, stopping soon after out exceeds kBriefChars characters. Each
// level of nesting appends a bracket first, so the recursion is at most about kBriefChars deep however
// deeply the header nests (json::dump would recurse through all of it and overflow the stack).
void append_brief(const json& value, std::string& out) {
  if (!value.is_structured()) {
    out += value.dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  const bool object = value.is_object();
  out += object ? '{' : '[';
  bool first = true;
  for (const auto& [key, element] : value.items()) {
    if (out.size() > kBriefChars) return;
    if (!first) out += ',';
    first = false;
    if (object) out += json(key).dump(-1, ' ', false, json::error_handler_t::replace) + ':';
    append_brief(element, out);
  }
  out += object ? '}' : ']';
}

// A JSON value for an error message, cut short when long.
std::string brief(const json& value) {
  std::string text;
  append_brief(value, text);
  return text.size() > kBriefChars ? text.substr(0, kBriefChars - 3) + "..." : text;
}

// One tensor of a validated header.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;  // byte range, relative to the data section
};

struct Header {
  std::uint64_t data_start = 0;  // 8 + header length
  std::vector<Entry> entries;    // in data order
  SafetensorsMetadata metadata;
};

std::uint64_t non_negative_integer(const std::filesystem::path& path, const std::string& where, const json& value) {
  if (!value.is_number_unsigned()) fail(path, where + " holds " + brief(value) + ", not a non-negative integer");
  return value.get<std::uint64_t>();
}

// The tensor `name` described by `info`, checked against a data section of data_size bytes.
Entry parse_entry(const std::filesystem::path& path, const std::string& name, const json& info,
                  std::uint64_t data_size) {
  const std::string where = "tensor '" + name + "'";
  if (!info.is_object()) fail(path, where + " is described by " + brief(info) + ", not an object");
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    if (!info.contains(key)) fail(path, where + " has no \"" + key + "\"");
  }
  const json& dtype = info["dtype"];
  Entry entry{name, float32, {}, 0, 0};
  const auto known = std::find_if(kDTypeCodes.begin(), kDTypeCodes.end(), [&](const auto& c) { return dtype == c.second; });
  if (known == kDTypeCodes.end()) {
    fail(path, where + " has dtype " + brief(dtype) + "; lucid reads \"F32\", \"F64\" and \"I64\"");
  }
  entry.dtype = known->first;

  const json& shape = info["shape"];
  if (!shape.is_array()) fail(path, where + " has shape " + brief(shape) + ", not an array");
  Shape::Dims dims;
  for (const json& d : shape) {
    const std::uint64_t size = non_negative_integer(path, where + "'s shape", d);
    if (size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(path, where + "'s shape holds " + std::to_string(size) + ", too large for int64");
    }
    dims.push_back(static_cast<std::int64_t>(size));
  }
  try {
    entry.shape = Shape(std::move(dims));
  } catch (const ValueError& e) {
    fail(path, where + ": " + e.what());
  }

  const json& offsets = info["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2) {
    fail(path, where + " has data_offsets " + brief(offsets) + ", not a [begin, end] pair");
  }
  entry.begin = non_negative_integer(path, where + "'s data_offsets", offsets[0]);
  entry.end = non_negative_integer(path, where + "'s data_offsets", offsets[1]);
  const std::string range = "[" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) + "]";
  if (entry.begin > entry.end) fail(path, where + " has data_offsets " + range + " with begin > end");
  if (entry.end > data_size) {
    fail(path, where + " has data_offsets " + range + " beyond the " + std::to_string(data_size) +
                   "-byte data section (truncated file?)");
  }
  const std::uint64_t itemsize = element_size(entry.dtype);
  const std::uint64_t nbytes = entry.end - entry.begin;
  if (nbytes % itemsize != 0 || nbytes / itemsize != static_cast<std::uint64_t>(entry.shape.numel())) {
    fail(path, where + " has data_offsets " + range + " (" + std::to_string(nbytes) + " bytes), but shape " +
                   entry.shape.str() + " of " + std::string(dtype_name(entry.dtype)) + " needs " +
                   std::to_string(entry.shape.numel()) + " × " + std::to_string(itemsize) + " bytes");
  }
  return entry;
}

// Reads and validates the header of the open file `in` of file_size bytes; allocates nothing
// sized by the file's claims beyond the header itself (at most kMaxHeaderBytes).
Header read_header(const std::filesystem::path& path, std::ifstream& in, std::uint64_t file_size) {
  if (file_size < 8) {
    fail(path, "the file has " + std::to_string(file_size) + " bytes, fewer than the 8-byte header length");
  }
  unsigned char length_bytes[8];
  if (!in.read(reinterpret_cast<char*>(length_bytes), 8)) fail(path, "cannot read the header length");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | length_bytes[i];
  if (n > kMaxHeaderBytes) {
    fail(path, "header length " + std::to_string(n) + " exceeds the limit of " + std::to_string(kMaxHeaderBytes) +
                   " bytes");
  }
  if (n > file_size - 8) {
    fail(path, "header length " + std::to_string(n) + " exceeds the " + std::to_string(file_size - 8) +
                   " bytes that follow it (truncated file?)");
  }
  std::string text(n, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(n))) fail(path, "cannot read the header");
  json header;
  const json::parser_callback_t refuse_deep_nesting = [&](int depth, json::parse_event_t event, json&) {
    const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth >= kMaxHeaderDepth) {
      fail(path, "the header nests deeper than " + std::to_string(kMaxHeaderDepth) +
                     " levels (a safetensors header nests 3)");
    }
    return true;
  };
  try {
    header = json::parse(text, refuse_deep_nesting);
  } catch (const json::exception& e) {
    fail(path, std::string("the header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) fail(path, "the header is " + brief(header) + ", not a JSON object");

  Header out;
  out.data_start = 8 + n;
  const std::uint64_t data_size = file_size - out.data_start;
  for (const auto& [name, info] : header.items()) {
    if (name != kMetadataKey) {
      out.entries.push_back(parse_entry(path, name, info, data_size));
      continue;
    }
    if (!info.is_object()) fail(path, "\"__metadata__\" is " + brief(info) + ", not an object");
    for (const auto& [key, value] : info.items()) {
      if (!value.is_string()) fail(path, "\"__metadata__\" entry '" + key + "' is " + brief(value) + ", not a string");
      out.metadata.emplace(key, value.get<std::string>());
    }
  }

  // The data regions must tile [0, data_size): sorted by offset, each begins where the previous ended.
  std::stable_sort(out.entries.begin(), out.entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  std::uint64_t expected = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : out.entries) {
    if (e.begin < expected) {
      fail(path, "tensor '" + e.name + "' (bytes " + std::to_string(e.begin) + ".." + std::to_string(e.end) +
                     ") overlaps tensor '" + previous->name + "' (bytes " + std::to_string(previous->begin) + ".." +
                     std::to_string(previous->end) + ")");
    }
    if (e.begin > expected) {
      fail(path, "bytes " + std::to_string(expected) + ".." + std::to_string(e.begin) +
                     " of the data section belong to no tensor");
    }
    expected = e.end;
    previous = &e;
  }
  if (expected != data_size) {
    fail(path, std::to_string(data_size - expected) + " trailing bytes after the last tensor's data");
  }
  return out;
}

// Opens `path` into `in` and reads its validated header.
Header open_checked(const std::filesystem::path& path, std::ifstream& in) {
  std::error_code ec;
  const std::uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot read the file: " + ec.message());
  in.open(path, std::ios::binary);
  if (!in) fail(path, "cannot open the file");
  return read_header(path, in, file_size);
}

// The first byte of the tensor's elements.
const std::byte* bytes_of(const Tensor& t) {
  const TensorImpl& impl = *t.impl();
  const std::size_t offset_bytes = static_cast<std::size_t>(impl.offset) * element_size(impl.dtype);
  return static_cast<const std::byte*>(impl.storage->data()) + offset_bytes;
}

// Removes a temporary file when the scope ends, unless release() was called.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::filesystem::path path) : path_(std::move(path)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    std::error_code ignored;
    if (!released_) std::filesystem::remove(path_, ignored);
  }
  void release() { released_ = true; }

 private:
  std::filesystem::path path_;
  bool released_ = false;
};

// The header text for the dict: tensors in the dict's order, padded with spaces to a multiple of 8.
std::string header_text(const nn::StateDict& dict, const std::filesystem::path& path,
                        const SafetensorsMetadata& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : dict) {
    if (name == kMetadataKey) fail(path, "cannot save a tensor named \"__metadata__\" (a reserved key)");
    if (!tensor.defined()) fail(path, "cannot save tensor '" + name + "': it is undefined");
    const std::uint64_t nbytes = static_cast<std::uint64_t>(tensor.numel()) * element_size(tensor.dtype());
    const Shape::Dims& dims = tensor.shape().dims();
    header[name] = {{"dtype", dtype_code(tensor.dtype())},
                    {"shape", std::vector<std::int64_t>(dims.begin(), dims.end())},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::ordered_json::exception& e) {
    fail(path, std::string("cannot encode the header (names must be UTF-8): ") + e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

// Syncs the directory holding `path`, so that the rename into it survives a power loss: the file's
// fsync makes its bytes durable, not the directory entry that names it.
void sync_directory(const std::filesystem::path& path) {
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  const auto cannot_sync = [&](int error) {
    fail(path, "replaced it, but cannot sync its directory '" + directory.string() + "': " + std::strerror(error) +
                   " (the new file may not survive a power loss)");
  };
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) cannot_sync(errno);
  // EINVAL: the file system cannot sync a directory; nothing more can be done there (SQLite ignores
  // every error of its directory sync, its ticket #1657: some file systems refuse it).
  const int error = ::fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
  ::close(fd);
  if (error != 0) cannot_sync(error);
}

}  // namespace

void save(const nn::StateDict& dict, const std::filesystem::path& path, const SafetensorsMetadata& metadata) {
  const std::string header = header_text(dict, path, metadata);
  unsigned char length_bytes[8];
  for (int i = 0; i < 8; ++i) length_bytes[i] = static_cast<unsigned char>(header.size() >> (8 * i));

  std::filesystem::path temporary = path;
  temporary += ".tmp." + std::to_string(::getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (!file) fail(path, "cannot create '" + temporary.string() + "': " + std::strerror(errno));
  TemporaryFile guard(temporary);
  int error = 0;  // errno of the first failed step
  auto step = [&error](bool ok) {
    if (!ok && error == 0) error = errno ? errno : EIO;
  };
  auto write = [&](const void* bytes, std::size_t n) { step(n == 0 || std::fwrite(bytes, 1, n, file) == n); };
  write(length_bytes, 8);
  write(header.data(), header.size());
  for (const auto& [name, tensor] : dict) {
    const Tensor row_major = kernels::dense(tensor);  // a strided view's elements in order
    write(bytes_of(row_major), static_cast<std::size_t>(tensor.numel()) * element_size(tensor.dtype()));
  }
  step(std::fflush(file) == 0);
  step(::fsync(::fileno(file)) == 0);
  step(std::fclose(file) == 0);
  if (error != 0) fail(path, "cannot write '" + temporary.string() + "': " + std::strerror(error));

  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) fail(path, "cannot replace it with '" + temporary.string() + "': " + ec.message());
  guard.release();
  sync_directory(path);
}

void save(const nn::Module& module, const std::filesystem::path& path, const SafetensorsMetadata& metadata) {
  save(module.state_dict(), path, metadata);
}

nn::StateDict load_state_dict(const std::filesystem::path& path) {
  std::ifstream in;
  const Header header = open_checked(path, in);
  nn::StateDict dict;
  for (const Entry& e : header.entries) {
    Tensor t = Tensor::empty(e.shape, e.dtype);
    const auto nbytes = static_cast<std::streamsize>(e.end - e.begin);
    in.seekg(static_cast<std::streamoff>(header.data_start + e.begin));
    if (nbytes > 0 && !in.read(static_cast<char*>(t.impl()->storage->data()), nbytes)) {
      fail(path, "cannot read the data of tensor '" + e.name + "'");
    }
    dict.insert_or_assign(e.name, t);
  }
  return dict;
}

SafetensorsMetadata load_metadata(const std::filesystem::path& path) {
  std::ifstream in;
  return open_checked(path, in).metadata;
}

void load(nn::Module& module, const std::filesystem::path& path) {
  const nn::StateDict dict = load_state_dict(path);
  try {
    module.load_state_dict(dict, true);
  } catch (const ValueError& e) {
    fail(path, e.what());
  }
}

}  // namespace lucid
