// safetensors checkpoints: round trips of dicts and modules, the on-disk layout, a golden file written
// by scripts/safetensors_numpy.py, every kind of corrupt file (module unchanged), and atomic writes.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lucid.h"
#include "tests/modules/file_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using nn::StateDict;

using Snapshot = std::vector<std::pair<std::string, std::vector<double>>>;

Snapshot snapshot(const nn::Module& m) {
  Snapshot out;
  for (const auto& [name, t] : m.state_dict()) out.emplace_back(name, t.to_vector<double>());
  return out;
}

// Linear, GroupNorm, Linear, every tensor filled with randn after manual_seed(seed).
std::shared_ptr<nn::Sequential> make_net(std::uint64_t seed) {
  auto net = std::make_shared<nn::Sequential>(nn::Linear(4, 8), nn::GroupNorm(2, 8), nn::Linear(8, 3));
  manual_seed(seed);
  for (const auto& [name, t] : net->state_dict()) Tensor(t).copy_(randn(t.shape()));
  return net;
}

// The little-endian bytes of the u64 header length n followed by header and data.
Bytes safetensors_bytes(const std::string& header, const Bytes& data) {
  Bytes out;
  const auto n = static_cast<std::uint64_t>(header.size());
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// y = (x·Wᵀ + b)·scale, with W (2, 3), b (2,) and buffers scale () and empty (0, 3) in float64:
// the layout of tests/golden/tiny.safetensors.
class Tiny : public nn::Module {
 public:
  Tiny() {
    weight = register_parameter("weight", zeros({2, 3}));
    bias = register_parameter("bias", zeros({2}));
    scale = register_buffer("scale", zeros({}, float64));
    empty = register_buffer("empty", zeros({0, 3}, float64));
  }
  Tensor forward(const Tensor& x) override {
    return (x.matmul(weight.transpose(0, 1)) + bias) * scale.to(float32);
  }
  nn::Parameter weight, bias;
  Tensor scale, empty;
};

TEST(Safetensors, StateDictRoundTripIsBitExact) {
  TempDir dir;
  manual_seed(3);
  StateDict dict;
  dict.insert_or_assign("layer.0.weight", randn({3, 5}));
  dict.insert_or_assign("scalar", scalar_tensor(-0.1, float64));
  dict.insert_or_assign("empty", zeros({0, 4}));
  dict.insert_or_assign("b", randn({7}, float64));
  dict.insert_or_assign("view", arange(12).reshape({3, 4}));
  const std::vector<std::int64_t> steps{(std::int64_t{1} << 53) + 1, -7};  // not doubles: checked as int64
  dict.insert_or_assign("steps", tensor(steps, {2}));
  save(dict, dir / "d.safetensors");
  const StateDict back = load_state_dict(dir / "d.safetensors");
  ASSERT_EQ(back.size(), dict.size());
  auto in = dict.begin();
  for (const auto& [name, t] : back) {  // same order, names, dtypes, shapes and bits
    SCOPED_TRACE(name);
    EXPECT_EQ(name, in->first);
    EXPECT_EQ(t.dtype(), in->second.dtype());
    EXPECT_EQ(t.shape(), in->second.shape());
    EXPECT_EQ(t.to_vector<double>(), in->second.to_vector<double>());
    ++in;
  }
  EXPECT_EQ(back.find("steps")->to_vector<std::int64_t>(), steps);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"d.safetensors"});  // no temporary file left
}

TEST(Safetensors, LayoutFollowsTheFormat) {
  TempDir dir;
  StateDict dict;
  dict.insert_or_assign("w", tensor({1.5f, -2.0f}, {2}));
  dict.insert_or_assign("d", tensor(std::vector<double>{0.25}, {1, 1}));
  save(dict, dir / "f.safetensors", {{"epoch", "3"}, {"format", "pt"}});
  const Bytes bytes = read_bytes(dir / "f.safetensors");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[static_cast<std::size_t>(i)];
  EXPECT_EQ(n % 8, 0u);
  ASSERT_EQ(bytes.size(), 8 + n + 2 * 4 + 8);
  const std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  const std::size_t last = header.find_last_not_of(' ');
  EXPECT_EQ(header[last], '}');
  EXPECT_LT(header.size() - last - 1, 8u);  // padded with spaces only up to the next multiple of 8
  const nlohmann::json json = nlohmann::json::parse(header);
  EXPECT_EQ(json["__metadata__"], (nlohmann::json{{"epoch", "3"}, {"format", "pt"}}));
  EXPECT_EQ(json["w"], (nlohmann::json{{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {0, 8}}}));
  EXPECT_EQ(json["d"], (nlohmann::json{{"dtype", "F64"}, {"shape", {1, 1}}, {"data_offsets", {8, 16}}}));
  float w[2];
  double d;
  std::memcpy(w, &bytes[8 + n], 8);
  std::memcpy(&d, &bytes[8 + n + 8], 8);
  EXPECT_EQ(w[0], 1.5f);
  EXPECT_EQ(w[1], -2.0f);
  EXPECT_EQ(d, 0.25);
  EXPECT_EQ(load_metadata(dir / "f.safetensors"), (SafetensorsMetadata{{"epoch", "3"}, {"format", "pt"}}));

  save(dict, dir / "g.safetensors");  // no metadata: no "__metadata__" entry
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(read_bytes(dir / "g.safetensors").data()) + 8, 14),
            "{\"w\":{\"dtype\":");
  EXPECT_TRUE(load_metadata(dir / "g.safetensors").empty());
}

TEST(Safetensors, ModuleRoundTripGivesIdenticalOutputs) {
  TempDir dir;
  auto trained = make_net(1);
  auto fresh = make_net(2);
  manual_seed(9);
  const Tensor x = randn({5, 4});
  ASSERT_NE((*fresh)(x).to_vector<float>(), (*trained)(x).to_vector<float>());
  save(*trained, dir / "net.safetensors");
  load(*fresh, dir / "net.safetensors");
  EXPECT_EQ(snapshot(*fresh), snapshot(*trained));
  EXPECT_EQ((*fresh)(x).to_vector<float>(), (*trained)(x).to_vector<float>());
}

TEST(Safetensors, ReadsTheGoldenFileWrittenByNumpy) {
  const std::filesystem::path path = std::string(LUCID_GOLDEN_DIR) + "/tiny.safetensors";
  const StateDict dict = load_state_dict(path);
  ASSERT_EQ(dict.size(), 4u);
  EXPECT_EQ(dict.at("weight").dtype(), float32);
  EXPECT_EQ(dict.at("weight").shape(), (Shape{2, 3}));
  EXPECT_EQ(dict.at("weight").to_vector<float>(),
            (std::vector<float>{-0.625f, -0.375f, -0.125f, 0.125f, 0.375f, 0.625f}));
  EXPECT_EQ(dict.at("bias").to_vector<float>(), (std::vector<float>{0.1f, -1.5f}));
  EXPECT_EQ(dict.at("scale").dtype(), float64);
  EXPECT_EQ(dict.at("scale").shape(), Shape{});
  EXPECT_EQ(dict.at("scale").item<double>(), M_PI / 3);
  EXPECT_EQ(dict.at("empty").shape(), (Shape{0, 3}));
  EXPECT_EQ(load_metadata(path), (SafetensorsMetadata{{"format", "pt"}, {"generator", "make_tiny_safetensors.py"}}));

  Tiny tiny;
  load(tiny, path);
  const Tensor y = tiny(tensor({1, 2, 3}, {1, 3}));  // ((1·w0 + 2·w1 + 3·w2) + b)·π/3 per row
  const double s = static_cast<float>(M_PI / 3);
  const double row0 = -0.625 - 2 * 0.375 - 3 * 0.125 + 0.1, row1 = 0.125 + 2 * 0.375 + 3 * 0.625 - 1.5;
  expect_values_near(y, {1, 2}, {row0 * s, row1 * s}, 1e-6);
}

TEST(Safetensors, EveryTruncationFailsAndLeavesTheModuleUnchanged) {
  TempDir dir;
  nn::Linear saved(3, 2);
  save(saved, dir / "full.safetensors");
  const Bytes full = read_bytes(dir / "full.safetensors");
  nn::Linear target(3, 2);
  const Snapshot before = snapshot(target);
  for (std::size_t n = 0; n < full.size(); ++n) {
    SCOPED_TRACE("length " + std::to_string(n) + " of " + std::to_string(full.size()));
    const auto path = dir / "cut.safetensors";
    write_bytes(path, Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
    EXPECT_TRUE(contains(error_message<ValueError>([&] { load(target, path); }), path.string()));
    EXPECT_EQ(snapshot(target), before);
  }
  load(target, dir / "full.safetensors");
  EXPECT_EQ(snapshot(target), snapshot(saved));
}

struct CorruptCase {
  std::string name;
  std::string header;
  std::size_t data_bytes;
  std::string expected;  // part of the message
};

class SafetensorsCorrupt : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(SafetensorsCorrupt, GivesValueErrorNamingPathAndFault) {
  const CorruptCase& c = GetParam();
  TempDir dir;
  const auto path = dir / "bad.safetensors";
  write_bytes(path, safetensors_bytes(c.header, Bytes(c.data_bytes, 0)));
  const std::string message = error_message<ValueError>([&] { load_state_dict(path); });
  EXPECT_TRUE(contains(message, path.string()));
  EXPECT_TRUE(contains(message, c.expected));
}

const std::string kWHeaderEntry = R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

INSTANTIATE_TEST_SUITE_P(
    Headers, SafetensorsCorrupt,
    ::testing::Values(
        CorruptCase{"BrokenJson", "{" + kWHeaderEntry, 8, "not valid JSON"},
        CorruptCase{"GarbageJson", "{\"w\": nope}", 0, "not valid JSON"},
        CorruptCase{"EmptyHeader", "", 0, "not valid JSON"},
        CorruptCase{"NotAnObject", "[1, 2]", 0, "not a JSON object"},
        CorruptCase{"EntryNotAnObject", R"({"w": 3})", 0, "tensor 'w' is described by 3"},
        CorruptCase{"MissingOffsets", R"({"w":{"dtype":"F32","shape":[2]}})", 8, "has no \"data_offsets\""},
        CorruptCase{"UnsupportedDtype", R"({"w":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})", 8,
                    "dtype \"I32\"; lucid reads \"F32\", \"F64\" and \"I64\""},
        CorruptCase{"NegativeShape", R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8,
                    "shape holds -2, not a non-negative integer"},
        CorruptCase{"FractionalShape", R"({"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})", 8,
                    "not a non-negative integer"},
        CorruptCase{"ShapeOverflow",
                    R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8,
                    "more elements than int64 can count"},
        CorruptCase{"DimBeyondInt64", R"({"w":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,8]}})",
                    8, "too large for int64"},
        CorruptCase{"OffsetsNotAPair", R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8,
                    "not a [begin, end] pair"},
        CorruptCase{"BeginAfterEnd", R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8,
                    "begin > end"},
        CorruptCase{"OffsetsBeyondData", "{" + kWHeaderEntry + "}", 4, "beyond the 4-byte data section"},
        CorruptCase{"SizeDisagreesWithShape", R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8,
                    "needs 3 × 4 bytes"},
        CorruptCase{"Overlap", R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                    12, "tensor 'b' (bytes 4..12) overlaps tensor 'a' (bytes 0..8)"},
        CorruptCase{"Gap", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                           R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                    12, "bytes 4..8 of the data section belong to no tensor"},
        CorruptCase{"TrailingBytes", "{" + kWHeaderEntry + "}", 11, "3 trailing bytes"},
        CorruptCase{"MetadataNotStrings", R"({"__metadata__":{"epoch":3}})", 0, "entry 'epoch' is 3, not a string"},
        CorruptCase{"MetadataNotAnObject", R"({"__metadata__":"x"})", 0, "\"__metadata__\" is \"x\""}),
    ParamName{});

TEST(Safetensors, RejectsBadHeaderLengths) {
  TempDir dir;
  const auto path = dir / "bad.safetensors";
  Bytes bytes = safetensors_bytes("{" + kWHeaderEntry + "}", Bytes(8, 0));
  bytes[0] = static_cast<std::uint8_t>(bytes.size() - 8 + 1);  // one more than the rest of the file
  write_bytes(path, bytes);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { load_state_dict(path); }), "exceeds the"));
  bytes[0] = 0;
  bytes[7] = 0x80;  // 2^63
  write_bytes(path, bytes);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { load_state_dict(path); }),
                       "header length 9223372036854775808 exceeds the limit"));
  write_bytes(path, Bytes{1, 0, 0});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { load_state_dict(path); }), "3 bytes, fewer than the 8-byte"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { load_state_dict(dir / "missing.safetensors"); }),
                       "missing.safetensors': cannot read the file"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { load_state_dict(dir.path()); }), "cannot read the file"));
}

TEST(Safetensors, MismatchedModuleIsLeftUnchanged) {
  TempDir dir;
  save(nn::Linear(3, 2), dir / "linear.safetensors");
  nn::Linear wider(4, 2);
  const Snapshot before = snapshot(wider);
  const std::string message = error_message<ValueError>([&] { load(wider, dir / "linear.safetensors"); });
  EXPECT_TRUE(contains(message, "linear.safetensors"));
  EXPECT_TRUE(contains(message, "weight: expected shape (2, 4), got (2, 3)"));
  EXPECT_EQ(snapshot(wider), before);
  nn::Linear no_bias(3, 2, {.bias = false});
  const Snapshot before_no_bias = snapshot(no_bias);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { load(no_bias, dir / "linear.safetensors"); }),
                       "Unexpected keys: bias"));
  EXPECT_EQ(snapshot(no_bias), before_no_bias);
}

TEST(Safetensors, OverwritesAnExistingFile) {
  TempDir dir;
  save(nn::Linear(3, 2), dir / "ckpt.safetensors");
  auto net = make_net(4);
  save(*net, dir / "ckpt.safetensors");
  auto other = make_net(5);
  load(*other, dir / "ckpt.safetensors");
  EXPECT_EQ(snapshot(*other), snapshot(*net));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"ckpt.safetensors"});
}

// A bare file name: the temporary file and the directory sync are in the working directory.
TEST(Safetensors, SavesToAPathWithoutDirectory) {
  TempDir dir;
  auto net = make_net(6);
  {
    struct RestoreWorkingDirectory {  // also when save throws, for the tests that follow
      std::filesystem::path previous = std::filesystem::current_path();
      ~RestoreWorkingDirectory() { std::filesystem::current_path(previous); }
    } restore;
    std::filesystem::current_path(dir.path());
    save(*net, "ckpt.safetensors");
  }
  auto other = make_net(7);
  load(*other, dir / "ckpt.safetensors");
  EXPECT_EQ(snapshot(*other), snapshot(*net));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"ckpt.safetensors"});
}

TEST(Safetensors, FailedSaveLeavesNoTemporaryFileAndTheTargetIntact) {
  TempDir dir;
  const auto target = dir / "ckpt.safetensors";
  save(nn::Linear(3, 2), target);
  const Bytes original = read_bytes(target);

  // Invalid dicts fail before anything is written.
  StateDict undefined;
  undefined.insert_or_assign("w", Tensor());
  EXPECT_TRUE(contains(error_message<ValueError>([&] { save(undefined, target); }), "tensor 'w': it is undefined"));
  StateDict reserved;
  reserved.insert_or_assign("__metadata__", zeros({1}));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { save(reserved, target); }), "reserved key"));

  // The path is a directory: the rename fails after the temporary file was written.
  std::filesystem::create_directory(dir / "sub");
  write_bytes(dir / "sub" / "keep", {1, 2, 3});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { save(nn::Linear(3, 2), dir / "sub"); }), "cannot replace"));
  EXPECT_EQ(read_bytes(dir / "sub" / "keep"), (Bytes{1, 2, 3}));

  // The directory does not exist: the temporary file cannot be created.
  EXPECT_TRUE(contains(error_message<ValueError>([&] { save(nn::Linear(3, 2), dir / "no" / "x.safetensors"); }),
                       "cannot create"));

  // The disk "fills up" mid-write (a file-size limit of 256 bytes): the write fails part way.
  struct rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string message = error_message<ValueError>([&] { save(nn::Linear(64, 64), target); });
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(contains(message, "cannot write"));

  EXPECT_EQ(read_bytes(target), original);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"ckpt.safetensors", "sub"}));
}

}  // namespace
}  // namespace lucid::test
