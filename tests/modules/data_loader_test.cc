// DataLoader (batch counts, shuffling, copies) and load_fashion_mnist (normalisation, limits, checks)
// on synthetic IDX files, plus the real data set's statistics when it is installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/modules/file_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using data::Batch;
using data::DataLoader;
using data::Dataset;

// n samples: images (n, 2) with row i = [10·i, 10·i + 1], targets (n,) = i.
Dataset numbered(std::int64_t n, DType dtype = float32) {
  std::vector<double> x, y;
  for (std::int64_t i = 0; i < n; ++i) {
    x.push_back(10.0 * static_cast<double>(i));
    x.push_back(10.0 * static_cast<double>(i) + 1);
    y.push_back(static_cast<double>(i));
  }
  return {tensor(x, {n, 2}).to(dtype), tensor(y, {n}).to(dtype)};
}

// The sample ids of one pass in visiting order; checks every batch's images match its targets.
std::vector<std::int64_t> visit(DataLoader& loader, std::vector<std::int64_t>* batch_sizes = nullptr) {
  std::vector<std::int64_t> ids;
  for (const Batch& batch : loader) {
    const std::vector<double> x = batch.images.to_vector<double>(), y = batch.targets.to_vector<double>();
    EXPECT_EQ(batch.images.shape(), (Shape{static_cast<std::int64_t>(y.size()), 2}));
    for (std::size_t i = 0; i < y.size(); ++i) {
      EXPECT_EQ(x[2 * i], 10 * y[i]);
      EXPECT_EQ(x[2 * i + 1], 10 * y[i] + 1);
      ids.push_back(static_cast<std::int64_t>(y[i]));
    }
    if (batch_sizes) batch_sizes->push_back(static_cast<std::int64_t>(y.size()));
  }
  return ids;
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(DataLoader, BatchCountsWithAndWithoutDropLast) {
  struct Case {
    std::int64_t n, batch;
    bool drop_last;
    std::vector<std::int64_t> sizes;
  };
  for (const Case& c : std::vector<Case>{{10, 3, false, {3, 3, 3, 1}},
                                         {10, 3, true, {3, 3, 3}},
                                         {9, 3, false, {3, 3, 3}},
                                         {9, 3, true, {3, 3, 3}},
                                         {2, 5, false, {2}},
                                         {2, 5, true, {}},
                                         {0, 4, false, {}},
                                         {7, 1, true, {1, 1, 1, 1, 1, 1, 1}}}) {
    SCOPED_TRACE("n=" + std::to_string(c.n) + " batch=" + std::to_string(c.batch) + " drop_last=" +
                 std::to_string(c.drop_last));
    DataLoader loader(numbered(c.n), {.batch_size = c.batch, .drop_last = c.drop_last});
    EXPECT_EQ(loader.size(), static_cast<std::int64_t>(c.sizes.size()));
    std::vector<std::int64_t> sizes;
    const std::vector<std::int64_t> ids = visit(loader, &sizes);
    EXPECT_EQ(sizes, c.sizes);
    const std::int64_t seen = std::accumulate(c.sizes.begin(), c.sizes.end(), std::int64_t{0});
    EXPECT_EQ(ids, iota(seen));  // unshuffled: samples in order
  }
}

TEST(DataLoader, ShuffleVisitsEverySampleOncePerEpoch) {
  DataLoader loader(numbered(103), {.batch_size = 8, .shuffle = true, .seed = 7});
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<std::int64_t> ids = visit(loader);
    EXPECT_NE(ids, iota(103)) << "epoch " << epoch << " is not shuffled";
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, iota(103)) << "epoch " << epoch;
  }
}

TEST(DataLoader, ShuffleIsReproducibleForASeedAndDiffersAcrossEpochsAndSeeds) {
  DataLoader a(numbered(50), {.batch_size = 4, .shuffle = true, .seed = 42});
  DataLoader b(numbered(50), {.batch_size = 4, .shuffle = true, .seed = 42});
  DataLoader c(numbered(50), {.batch_size = 4, .shuffle = true, .seed = 43});
  const std::vector<std::int64_t> a0 = visit(a), a1 = visit(a);
  EXPECT_EQ(a.epoch(), 2);
  EXPECT_EQ(visit(b), a0);
  EXPECT_EQ(visit(b), a1);
  EXPECT_NE(a0, a1);
  EXPECT_NE(visit(c), a0);
  // The order depends only on (seed, epoch): order() and set_epoch reproduce any pass.
  EXPECT_EQ(a.order(0), a0);
  EXPECT_EQ(a.order(1), a1);
  a.set_epoch(1);
  EXPECT_EQ(visit(a), a1);
  EXPECT_EQ(a.epoch(), 2);
}

TEST(DataLoader, ShuffleDrawsPermutationsUniformly) {
  // 24 permutations of 4 samples over 4800 epochs: each expected 200 times. A biased shuffle (e.g.
  // swapping with any position) gives counts off by far more than the bound below.
  DataLoader loader(numbered(4), {.batch_size = 4, .shuffle = true, .seed = 1});
  std::map<std::vector<std::int64_t>, int> counts;
  for (std::int64_t epoch = 0; epoch < 4800; ++epoch) ++counts[loader.order(epoch)];
  EXPECT_EQ(counts.size(), 24u);
  double chi2 = 0;
  for (const auto& [perm, count] : counts) chi2 += (count - 200.0) * (count - 200.0) / 200.0;
  EXPECT_LT(chi2, 49.7);  // the 0.999 quantile of chi-square with 23 degrees of freedom
}

TEST(DataLoader, CopiesFloat64AndMultiDimensionalTargets) {
  const Tensor images = arange(24, float64).reshape({6, 2, 2});
  const Tensor targets = arange(12, float64).reshape({6, 2});
  DataLoader loader({images, targets}, {.batch_size = 4, .shuffle = true, .seed = 3});
  const std::vector<std::int64_t> order = loader.order(0);
  std::int64_t k = 0;
  for (const Batch& batch : loader) {
    ASSERT_EQ(batch.images.dtype(), float64);
    const std::int64_t rows = batch.targets.size(0);
    EXPECT_EQ(batch.targets.shape(), (Shape{rows, 2}));
    const std::vector<double> x = batch.images.to_vector<double>(), y = batch.targets.to_vector<double>();
    for (std::int64_t i = 0; i < rows; ++i, ++k) {
      const auto s = static_cast<double>(order[static_cast<std::size_t>(k)]);
      for (int j = 0; j < 4; ++j) EXPECT_EQ(x[static_cast<std::size_t>(4 * i + j)], 4 * s + j);
      for (int j = 0; j < 2; ++j) EXPECT_EQ(y[static_cast<std::size_t>(2 * i + j)], 2 * s + j);
    }
  }
  EXPECT_EQ(k, 6);
}

TEST(DataLoader, BatchesAreCopies) {
  Dataset d = numbered(4);
  DataLoader loader(d, {.batch_size = 2});
  auto it = loader.begin();
  Batch first = *it;
  first.images.fill_(-1);
  EXPECT_EQ(d.images.to_vector<float>()[0], 0.0f);
  EXPECT_EQ((*it).images.to_vector<float>()[0], 0.0f);
}

TEST(DataLoader, RejectsBadArguments) {
  EXPECT_TRUE(contains(error_message<ValueError>([] { DataLoader(numbered(4), {.batch_size = 0}); }),
                       "batch_size must be positive, got 0"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { DataLoader(numbered(4), {.batch_size = -3}); }), "got -3"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { DataLoader({zeros({4, 2}), zeros({5})}); }),
                       "images (4, 2) and targets (5,) hold different numbers of samples"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { DataLoader({Tensor(), zeros({5})}); }),
                       "images tensor is undefined"));
  EXPECT_TRUE(contains(error_message<ValueError>([] { DataLoader({zeros({2}), scalar_tensor(1)}); }),
                       "targets must have a sample dimension"));
  DataLoader loader(numbered(4));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { loader.set_epoch(-1); }), "epoch must be >= 0, got -1"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { loader.order(-2); }), "got -2"));
}

// A sampler with fixed indices for every epoch, optionally claiming another size.
class ListSampler : public data::Sampler {
 public:
  explicit ListSampler(std::vector<std::int64_t> ids, std::int64_t claimed_size = -1)
      : ids_(std::move(ids)), size_(claimed_size >= 0 ? claimed_size : static_cast<std::int64_t>(ids_.size())) {}
  std::int64_t size() const override { return size_; }
  std::vector<std::int64_t> indices(std::int64_t) const override { return ids_; }

 private:
  std::vector<std::int64_t> ids_;
  std::int64_t size_;
};

TEST(DataLoader, SamplerDecidesIndicesAndBatchCount) {
  DataLoader loader(numbered(10), {.batch_size = 2, .sampler = std::make_shared<ListSampler>(
                                                        std::vector<std::int64_t>{7, 3, 3, 9, 0})});
  EXPECT_EQ(loader.size(), 3);
  EXPECT_EQ(loader.samples(), 5);
  std::vector<std::int64_t> sizes;
  EXPECT_EQ(visit(loader, &sizes), (std::vector<std::int64_t>{7, 3, 3, 9, 0}));
  EXPECT_EQ(sizes, (std::vector<std::int64_t>{2, 2, 1}));
}

TEST(DataLoader, RejectsBadSamplers) {
  const auto sampler = std::make_shared<ListSampler>(std::vector<std::int64_t>{1, 4});
  EXPECT_TRUE(contains(error_message<ValueError>([&] {
                         DataLoader(numbered(4), {.batch_size = 1, .shuffle = true, .sampler = sampler});
                       }),
                       "shuffle must be false when a sampler is given"));
  DataLoader out_of_range(numbered(4), {.batch_size = 1, .sampler = sampler});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { out_of_range.order(0); }),
                       "the sampler gave index 4 for a dataset of 4 samples"));
  DataLoader wrong_size(numbered(4), {.sampler = std::make_shared<ListSampler>(std::vector<std::int64_t>{1}, 3)});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { wrong_size.order(0); }),
                       "the sampler gave 1 indices, its size() is 3"));
}

// Writes <dir>/<split>-images-idx3-ubyte[.gz] and -labels-idx1-ubyte[.gz].
void write_split(const TempDir& dir, const std::string& split, const std::vector<std::uint32_t>& image_dims,
                 const Bytes& pixels, const std::vector<std::uint32_t>& label_dims, const Bytes& labels,
                 bool gzip = true) {
  const std::string ext = gzip ? ".gz" : "";
  auto write = gzip ? write_gzip : write_bytes;
  write(dir / (split + "-images-idx3-ubyte" + ext), idx_bytes(image_dims, pixels));
  write(dir / (split + "-labels-idx1-ubyte" + ext), idx_bytes(label_dims, labels));
}

Bytes pixel_ramp(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>((i * 37) % 256);
  return out;
}

TEST(FashionMnist, NormalisesPixelsAndKeepsLabelsAsFloatClassIds) {
  TempDir dir;
  const Bytes pixels = pixel_ramp(5 * 4 * 3);
  write_split(dir, "train", {5, 4, 3}, pixels, {5}, {9, 0, 3, 3, 7});
  const Dataset d = data::load_fashion_mnist(dir.path());
  ASSERT_EQ(d.images.shape(), (Shape{5, 1, 4, 3}));
  ASSERT_EQ(d.images.dtype(), float32);
  const std::vector<float> x = d.images.to_vector<float>();
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    EXPECT_FLOAT_EQ(x[i], static_cast<float>((pixels[i] / 255.0 - 0.2860) / 0.3530)) << "pixel " << i;
  }
  EXPECT_EQ(d.targets.shape(), Shape{5});
  ASSERT_EQ(d.targets.dtype(), int64);
  EXPECT_EQ(d.targets.to_vector<std::int64_t>(), (std::vector<std::int64_t>{9, 0, 3, 3, 7}));
  EXPECT_EQ(d.size(), 5);
  // The loader's batches keep int64 labels, which is what cross_entropy takes.
  DataLoader loader(d, {.batch_size = 2});
  const data::Batch batch = *loader.begin();
  ASSERT_EQ(batch.targets.dtype(), int64);
  EXPECT_EQ(batch.targets.to_vector<std::int64_t>(), (std::vector<std::int64_t>{9, 0}));
  EXPECT_NO_THROW(nn::functional::cross_entropy(zeros({2, 10}), batch.targets));
}

TEST(FashionMnist, CustomStatisticsLimitSplitsAndPlainFiles) {
  TempDir dir;
  const Bytes pixels = pixel_ramp(6 * 2 * 2);
  write_split(dir, "t10k", {6, 2, 2}, pixels, {6}, {1, 2, 3, 4, 5, 6}, /*gzip=*/false);
  const Dataset d = data::load_fashion_mnist(dir.path(), /*train=*/false, /*limit=*/4, /*mean=*/0.5, /*stddev=*/2.0);
  ASSERT_EQ(d.images.shape(), (Shape{4, 1, 2, 2}));
  const std::vector<float> x = d.images.to_vector<float>();
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(x[i], static_cast<float>((pixels[i] / 255.0 - 0.5) / 2.0));
  EXPECT_EQ(d.targets.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(data::load_fashion_mnist(dir.path(), false, 100).size(), 6);  // limit beyond N keeps all
  EXPECT_TRUE(contains(error_message<ValueError>([&] { data::load_fashion_mnist(dir.path(), true); }),
                       "train-images-idx3-ubyte.gz"));  // no train split here
}

TEST(FashionMnist, RejectsInconsistentFilesAndArguments) {
  TempDir dir;
  write_split(dir, "train", {3, 2, 2}, pixel_ramp(12), {2}, {1, 2});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { data::load_fashion_mnist(dir.path()); }),
                       "expected labels of shape (3,) to match the images (3, 2, 2), got (2,)"));
  write_split(dir, "train", {3, 2, 2}, pixel_ramp(12), {3}, {1, 10, 2});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { data::load_fashion_mnist(dir.path()); }),
                       "label 10 at index 1 is not a class id in [0, 10)"));
  write_split(dir, "train", {3, 4}, pixel_ramp(12), {3}, {1, 2, 3});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { data::load_fashion_mnist(dir.path()); }),
                       "expected images of shape (N, H, W), got (3, 4)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { data::load_fashion_mnist(dir.path(), true, -1); }),
                       "limit must be >= 0, got -1"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { data::load_fashion_mnist(dir.path(), true, 0, 0.3, 0.0); }),
                       "positive finite stddev"));
}

TEST(FashionMnist, RealTrainingSetMatchesTheDefaultStatistics) {
  if (!std::filesystem::exists(std::filesystem::path(data::kFashionMnistDir) / "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << data::kFashionMnistDir << " is not installed (Debian dataset-fashion-mnist)";
  }
  const Dataset raw = data::load_fashion_mnist(data::kFashionMnistDir, true, 0, 0.0, 1.0);  // pixels in [0, 1]
  ASSERT_EQ(raw.images.shape(), (Shape{60000, 1, 28, 28}));
  const float* p = raw.images.data<float>();
  double sum = 0, sum_sq = 0;
  for (std::int64_t i = 0; i < raw.images.numel(); ++i) {
    sum += p[i];
    sum_sq += static_cast<double>(p[i]) * p[i];
  }
  const double n = static_cast<double>(raw.images.numel());
  const double mean = sum / n, stddev = std::sqrt(sum_sq / n - mean * mean);
  EXPECT_NEAR(mean, data::kFashionMnistMean, 5e-5);
  EXPECT_NEAR(stddev, data::kFashionMnistStd, 5e-5);
  const std::vector<std::int64_t> labels = raw.targets.to_vector<std::int64_t>();
  for (std::int64_t c = 0; c < 10; ++c) EXPECT_EQ(std::count(labels.begin(), labels.end(), c), 6000);
}

}  // namespace
}  // namespace lucid::test
