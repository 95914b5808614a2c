// Mutation fuzzing of the safetensors reader (load_state_dict, load_metadata, load) from the seeds in
// tests/reliability/corpus/safetensors: byte-level mutations, the header-length field set to boundary
// values, JSON header edits (numbers replaced by huge, negative or fractional values, keys dropped,
// values of the wrong type, dtypes, shapes whose element count overflows, overlapping or out-of-range
// data offsets, renamed and duplicated entries) and textual number edits the JSON library would not
// write. Each input must load or throw ValueError; beyond that the three entry points must agree,
// and load leaves the module unchanged when it throws and holds the file's values when it succeeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/reliability/fuzz_harness.h"

namespace lucid::test::fuzz {
namespace {

using nlohmann::json;

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();

// A file cut into its three parts: the length field, the header text it covers, and the rest.
struct Parts {
  std::uint64_t length = 0;
  std::string header;
  Bytes data;
};

// The parts of bytes, or false when the length field does not fit in the file.
bool split(const Bytes& bytes, Parts& parts) {
  if (bytes.size() < 8) return false;
  parts.length = 0;
  for (int i = 7; i >= 0; --i) parts.length = (parts.length << 8) | bytes[static_cast<std::size_t>(i)];
  if (parts.length > bytes.size() - 8) return false;
  const auto header_end = bytes.begin() + static_cast<std::ptrdiff_t>(8 + parts.length);
  parts.header.assign(bytes.begin() + 8, header_end);
  parts.data.assign(header_end, bytes.end());
  return true;
}

// Length field, header and data; the field holds `length`.
Bytes join(std::uint64_t length, const std::string& header, const Bytes& data) {
  Bytes out;
  out.reserve(8 + header.size() + data.size());
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// Sets the header-length field to a boundary value.
std::string set_header_length(Bytes& bytes, Rng& rng) {
  if (bytes.size() < 8) bytes.resize(8);
  Parts parts;
  const std::uint64_t n = split(bytes, parts) ? parts.length : 0;
  const std::uint64_t after = bytes.size() - 8;  // bytes after the field
  const std::vector<std::uint64_t> values{0,         1,           2,           7,          n - 1,      n + 1,
                                          after,     after + 1,   100'000'000, 100'000'001, 1ull << 31, 1ull << 32,
                                          kI64Max,   1ull << 63,  kU64Max,     n + 8,       n - 8};
  const std::uint64_t value = choose(rng, values);
  const Bytes field = le_bytes(value, 8);
  std::copy(field.begin(), field.end(), bytes.begin());
  return "header length := " + std::to_string(value);
}

// The nodes of a JSON document down to kEditDepth levels, as pointers (the root is the empty pointer).
// Deeper nodes are not edited: a header mutated into half a million nested arrays must not recurse here.
constexpr int kEditDepth = 16;
void collect(const json& value, const json::json_pointer& at, std::vector<json::json_pointer>& out, int depth = 0) {
  out.push_back(at);
  if (depth == kEditDepth) return;
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) collect(child, at / key, out, depth + 1);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) collect(value[i], at / i, out, depth + 1);
  }
}

// The header's tensor entries (objects other than "__metadata__"), by name.
std::vector<std::string> tensor_names(const json& header) {
  std::vector<std::string> out;
  for (const auto& [key, value] : header.items()) {
    if (key != "__metadata__" && value.is_object()) out.push_back(key);
  }
  return out;
}

// header[entry] as an object, replacing what it held when it was not one.
json& entry_object(json& header, const json::json_pointer& entry) {
  json& value = header[entry];
  if (!value.is_object()) value = json::object();
  return value;
}

// A number near a boundary: of integer types, of the data section (data_size), or of `old`.
json interesting_number(Rng& rng, const json& old, std::uint64_t data_size) {
  const std::uint64_t base = old.is_number_unsigned() ? old.get<std::uint64_t>() : 0;
  switch (pick(rng, 14)) {
    case 0: return -1;
    case 1: return kI64Min;
    case 2: return kI64Max;
    case 3: return kU64Max;
    case 4: return std::uint64_t{1} << 62;
    case 5: return std::uint64_t{1} << 32;
    case 6: return 0;
    case 7: return 1.5;
    case 8: return -0.0;
    case 9: return 1e300;
    case 10: return data_size;
    case 11: return data_size + 1;
    case 12: return base + 1 + pick(rng, 8);
    default: return base - 1;
  }
}

// Applies one structural edit to a parsed header (an object) and describes it.
std::string edit_header(json& header, Rng& rng, std::uint64_t data_size) {
  std::vector<json::json_pointer> nodes;
  collect(header, json::json_pointer(), nodes);
  const std::vector<std::string> tensors = tensor_names(header);
  const std::string tensor = tensors.empty() ? std::string("t") : choose(rng, tensors);
  const json::json_pointer entry = json::json_pointer() / tensor;
  switch (pick(rng, 10)) {
    case 0: {  // a number := boundary value
      std::vector<json::json_pointer> numbers;
      for (const auto& p : nodes) {
        if (header[p].is_number()) numbers.push_back(p);
      }
      if (numbers.empty()) break;
      const json::json_pointer& p = choose(rng, numbers);
      header[p] = interesting_number(rng, header[p], data_size);
      return "json " + p.to_string() + " := " + header[p].dump();
    }
    case 1: {  // drop a key or an array element
      const json::json_pointer& p = choose(rng, nodes);
      if (p.empty()) break;
      json& parent = header[p.parent_pointer()];
      if (parent.is_object()) {
        parent.erase(p.back());
      } else {
        parent.erase(static_cast<std::size_t>(std::stoull(p.back())));
      }
      return "json drop " + p.to_string();
    }
    case 2: {  // a value of another type
      const json::json_pointer& p = choose(rng, nodes);
      const std::vector<json> values{nullptr, true, "F32", "", json::array(), json::object(),
                                     json::parse("[[1]]"), -1, 3.5, json::parse(R"({"dtype": "F32"})")};
      header[p] = choose(rng, values);
      return "json " + p.to_string() + " := " + header[p].dump();
    }
    case 3: {
      const std::vector<std::string> dtypes{"F64", "F32", "F16", "BF16", "I64", "U8", "BOOL", "f32", ""};
      json& dtype = entry_object(header, entry)["dtype"];
      dtype = choose(rng, dtypes);
      return "json " + tensor + " dtype := " + dtype.dump();
    }
    case 4: {  // a dimension added, removed, or a whole shape with an overflowing or zero product
      json& shape = entry_object(header, entry)["shape"];
      const std::uint64_t big = std::uint64_t{1} << 62;
      const std::vector<json> shapes{json::array(), {0}, {big, big, 0}, {0, kI64Max, kI64Max}, {1ull << 32, 1ull << 32},
                                     {1ull << 31, 1ull << 31, 4}, {kU64Max}, {-1, -1}};
      const std::size_t how = pick(rng, 3);
      if (how == 0 && shape.is_array()) {
        shape.push_back(choose(rng, std::vector<std::uint64_t>{0, 1, 2, 3, 1ull << 31, 1ull << 32, big}));
      } else if (how == 1 && shape.is_array() && !shape.empty()) {
        shape.erase(shape.size() - 1);
      } else {
        shape = choose(rng, shapes);
      }
      return "json " + tensor + " shape := " + shape.dump();
    }
    case 5: {  // data offsets swapped, empty, at the end, or with a third element
      json& offsets = entry_object(header, entry)["data_offsets"];
      const json old = offsets;
      const std::vector<json> values{json::array({0, 0}), json::array({data_size, data_size}),
                                     json::array({data_size, 0}), json::array({0, data_size})};
      const std::size_t how = pick(rng, 3);
      if (how == 0 && old.is_array() && old.size() == 2) {
        offsets = json::array({old[1], old[0]});
      } else if (how == 1 && old.is_array()) {
        offsets.push_back(data_size);
      } else {
        offsets = choose(rng, values);
      }
      return "json " + tensor + " data_offsets := " + offsets.dump();
    }
    case 6: {  // another entry with the same description (overlapping data)
      if (tensors.empty()) break;
      header[tensor + "_copy"] = header[tensor];
      return "json duplicate " + tensor;
    }
    case 7: {  // an entry renamed
      if (tensors.empty()) break;
      const std::vector<std::string> names{"__metadata__", "", "\u00e9\u4e2d", std::string(300, 'w'), "bias", "weight"};
      const std::string name = choose(rng, names);
      const json moved = header[tensor];
      header.erase(tensor);
      header[name] = moved;
      return "json rename " + tensor + " to \"" + name.substr(0, 20) + "\"";
    }
    case 8: {
      const std::vector<json> values{json::parse(R"({"a": 1})"), json::array(), "x",
                                     json::parse(R"({"a": {"b": "c"}})"), json::parse(R"({"": ""})")};
      header["__metadata__"] = choose(rng, values);
      return "json __metadata__ := " + header["__metadata__"].dump();
    }
    default:
      break;
  }
  entry_object(header, entry)["extra"] = 1;  // the edit chosen did not apply: an unknown key instead
  return "json add " + tensor + "/extra";
}

// The deepest nesting of brackets and braces in a JSON text (those inside strings count too: an upper
// bound is all the caller needs). Iterative, unlike json::dump on the parsed value.
int bracket_depth(const std::string& text) {
  int depth = 0, deepest = 0;
  for (const char c : text) {
    depth += (c == '[' || c == '{') - (c == ']' || c == '}');
    deepest = std::max(deepest, depth);
  }
  return deepest;
}

// Parses the header, edits it and writes it back (compact or indented, padded or not), with the
// length field updated (usually) or left as it was.
std::string mutate_json(Bytes& bytes, Rng& rng) {
  Parts parts;
  if (!split(bytes, parts) || bracket_depth(parts.header) > kEditDepth) return mutate_bytes(bytes, rng);
  json header = json::parse(parts.header, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return mutate_bytes(bytes, rng);
  std::string what = edit_header(header, rng, parts.data.size());
  std::string text = header.dump(pick(rng, 2) ? -1 : 1, ' ', false, json::error_handler_t::replace);
  if (pick(rng, 2)) text.append((8 - text.size() % 8) % 8, ' ');
  const bool keep_length = pick(rng, 10) == 0;
  bytes = join(keep_length ? parts.length : text.size(), text, parts.data);
  return what + (keep_length ? " (old header length kept)" : "");
}

// Replaces one run of digits in the header text with a number the JSON writer would not produce, or
// rarely with a value nested half a million arrays deep (2 MB of brackets: deep recursion).
std::string mutate_number_text(Bytes& bytes, Rng& rng) {
  Parts parts;
  if (!split(bytes, parts)) return mutate_bytes(bytes, rng);
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < parts.header.size(); ++i) {
    const bool digit = parts.header[i] >= '0' && parts.header[i] <= '9';
    const bool after_digit = i > 0 && parts.header[i - 1] >= '0' && parts.header[i - 1] <= '9';
    if (digit && !after_digit) starts.push_back(i);
  }
  if (starts.empty()) return mutate_bytes(bytes, rng);
  const std::size_t at = choose(rng, starts);
  std::size_t end = at;
  while (end < parts.header.size() && parts.header[end] >= '0' && parts.header[end] <= '9') ++end;
  const std::vector<std::string> numbers{"-1", "18446744073709551616", "18446744073709551615", "9223372036854775808",
                                         "1e999", "-0", "0.5", "99999999999999999999999999999", "00", "1e3", "-1e999"};
  constexpr std::size_t kDeep = 500'000;
  const bool deep = pick(rng, 50) == 0;
  const std::string number = deep ? std::string(kDeep, '[') + std::string(kDeep, ']') : choose(rng, numbers);
  parts.header.replace(at, end - at, number);
  bytes = join(parts.header.size(), parts.header, parts.data);
  return "header text: number at " + std::to_string(at) + " := " + (deep ? "[[...]] (depth " + std::to_string(kDeep) + ")" : number);
}

// One mutation, weighted towards the structured ones.
std::string mutate(Bytes& bytes, Rng& rng) {
  switch (pick(rng, 10)) {
    case 0:
    case 1:
    case 2: return mutate_bytes(bytes, rng);
    case 3: return set_header_length(bytes, rng);
    case 8: return mutate_number_text(bytes, rng);
    default: return mutate_json(bytes, rng);
  }
}

// Equal values, NaN equal to NaN.
bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && !(std::isnan(a[i]) && std::isnan(b[i]))) return false;
  }
  return true;
}

TEST(SafetensorsFuzz, EveryInputLoadsOrThrowsValueError) {
  const auto corpus = corpus_files("safetensors", ".safetensors");
  ASSERT_GE(corpus.size(), 5u);
  nn::Linear module(3, 2);  // the layout of corpus/linear.safetensors, for load()
  const auto reset_module = [&module] {
    autograd::no_grad guard;
    module.weight.fill_(7.0);
    module.bias.fill_(-3.0);
  };

  const auto generate = [&corpus](Rng& rng) {
    const auto& [name, bytes] = choose(rng, corpus);
    Input input{bytes, name};
    for (std::size_t k = 1 + pick(rng, 3); k > 0; --k) input.recipe += "; " + mutate(input.bytes, rng);
    return input;
  };
  const auto check = [&](const std::filesystem::path& path, const Input&) {
    Outcome out;
    nn::StateDict dict;
    out.rejection = rejection([&] { dict = load_state_dict(path); });
    const std::string metadata_rejection = rejection([&] { load_metadata(path); });
    reset_module();
    const std::string load_rejection = rejection([&] { load(module, path); });
    if (out.rejection.empty() != metadata_rejection.empty()) {
      out.violation = "load_state_dict " + std::string(out.rejection.empty() ? "accepts" : "rejects") +
                      " the file but load_metadata " + (out.rejection.empty() ? "rejects" : "accepts") + " it";
    } else if (!out.rejection.empty() && load_rejection.empty()) {
      out.violation = "load accepts a file load_state_dict rejects: " + out.rejection;
    } else if (!load_rejection.empty()) {
      if (module.weight.to_vector<double>() != std::vector<double>(6, 7.0) ||
          module.bias.to_vector<double>() != std::vector<double>(2, -3.0)) {
        out.violation = "load threw but changed the module: " + load_rejection;
      }
    } else if (!same_values(module.weight.to_vector<double>(), dict.at("weight").to(float32).to_vector<double>()) ||
               !same_values(module.bias.to_vector<double>(), dict.at("bias").to(float32).to_vector<double>())) {
      out.violation = "load succeeded but the module does not hold the file's values";
    }
    return out;
  };
  // The header is at most the file; its parsed form a small multiple of it. Nothing else is allocated
  // beyond the tensors, which tile the file.
  const auto allocation_limit = [](const Input& input) { return (std::size_t{1} << 20) + 64 * input.bytes.size(); };
  run("safetensors", {.optimised = 60'000, .sanitized = 10'000}, generate, check, allocation_limit);
}

// Deep nesting (2 MB, within the header-size limit) is refused while parsing, quickly (a million-level
// array took seconds to build and free under AddressSanitizer), wherever the value sits. Values nested
// within the limit are still quoted briefly (json::dump of them used to overflow the stack).
TEST(SafetensorsReader, RejectsDeeplyNestedHeaderValues) {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  for (const std::string& value : {nested(1'000'000), nested(60)}) {
    for (const std::string& header : {R"({"t": )" + value + "}", R"({"__metadata__": )" + value + "}",
                                      R"({"t": {"dtype": "F32", "shape": )" + value + R"(, "data_offsets": [0, 0]}})"}) {
      const TempDir dir;
      const auto path = dir.path() / "deep.safetensors";
      write_bytes(path, join(header.size(), header, {}));
      const std::string message = error_message<ValueError>([&] { load_state_dict(path); });
      EXPECT_TRUE(contains(message, path.string() + "': ")) << message.substr(0, 300);
      EXPECT_TRUE(contains(message, value.size() > 200 ? "nests deeper than 64 levels" : "[[[[[[[[[[[[[[[[[[[[..."))
          << message.substr(0, 300);
      EXPECT_LT(message.size(), 300u);
    }
  }
}

}  // namespace
}  // namespace lucid::test::fuzz
