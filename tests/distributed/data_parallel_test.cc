// Data parallelism across the ranks of an mpirun launch: broadcast_parameters, the collectives, and
// DistributedDataParallel's averaged gradients against a single process on the concatenated batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace lucid::test {
namespace {

namespace dist = distributed;

// A small model touching the layers of the example: Conv2d → GroupNorm → SiLU → Flatten → Linear.
std::shared_ptr<nn::Sequential> small_model() {
  return std::make_shared<nn::Sequential>(nn::Conv2d(2, 4, 3, {.padding = {1, 1}}), nn::GroupNorm(2, 4), nn::SiLU(),
                                          nn::Flatten(), nn::Linear(4 * 6 * 6, 3));
}

// Rows [first, first + count) of t (split along dimension 0), copied.
Tensor rows(const Tensor& t, std::int64_t first, std::int64_t count) {
  return t.index_select(0, arange(static_cast<double>(first), static_cast<double>(first + count), 1.0, int64));
}

// Every parameter's values, concatenated (float32).
Tensor flat_parameters(const nn::Module& m) {
  std::vector<float> all;
  for (const Tensor& p : m.parameters()) {
    const std::vector<float> v = p.to_vector<float>();
    all.insert(all.end(), v.begin(), v.end());
  }
  return tensor(all, {static_cast<std::int64_t>(all.size())});
}

// True when every rank holds bitwise the same tensor (compared through an allgather).
bool identical_on_all_ranks(const Tensor& t) {
  const Tensor all = dist::allgather(t);
  const std::size_t bytes = static_cast<std::size_t>(t.numel()) * sizeof(float);
  const auto* p = reinterpret_cast<const char*>(all.data<float>());
  for (int r = 1; r < dist::world_size(); ++r) {
    if (std::memcmp(p, p + static_cast<std::size_t>(r) * bytes, bytes) != 0) return false;
  }
  return true;
}

// A global batch of 4 samples per rank, the same on every rank (seeded), and this rank's share.
struct GlobalBatch {
  Tensor x, y;
  explicit GlobalBatch(std::uint64_t seed) {
    manual_seed(seed);
    const std::int64_t n = 4 * dist::world_size();
    x = randn({n, 2, 6, 6});
    std::vector<std::int64_t> t;
    for (std::int64_t i = 0; i < n; ++i) t.push_back((i * 7 + static_cast<std::int64_t>(seed)) % 3);
    y = tensor(t, {n});
  }
  Tensor local_x() const { return rows(x, 4 * dist::rank(), 4); }
  Tensor local_y() const { return rows(y, 4 * dist::rank(), 4); }
};

class DistributedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (dist::world_size() < 2) GTEST_SKIP() << "needs at least 2 ranks (run under mpirun -np 2)";
  }
};

TEST_F(DistributedTest, RankAndWorldSize) {
  EXPECT_GE(dist::rank(), 0);
  EXPECT_LT(dist::rank(), dist::world_size());
  const Tensor sum = tensor(std::vector<float>{static_cast<float>(dist::rank())}, {1});
  dist::allreduce_sum(sum);
  const int n = dist::world_size();
  EXPECT_EQ(sum.item(), n * (n - 1) / 2);
}

TEST_F(DistributedTest, BroadcastParametersMakesDifferentInitialParametersIdentical) {
  manual_seed(100 + static_cast<std::uint64_t>(dist::rank()));  // a different init per rank
  const auto model = small_model();
  EXPECT_FALSE(identical_on_all_ranks(flat_parameters(*model)));
  dist::broadcast_parameters(*model, 1);
  EXPECT_TRUE(identical_on_all_ranks(flat_parameters(*model)));
  manual_seed(101);
  EXPECT_EQ(flat_parameters(*model).to_vector<float>(), flat_parameters(*small_model()).to_vector<float>());  // rank 1's
}

TEST_F(DistributedTest, RootOutOfRangeIsAValueErrorNamingIt) {
  const auto model = small_model();
  const std::string n = std::to_string(dist::world_size());
  EXPECT_TRUE(contains(error_message<ValueError>([&] { dist::broadcast_parameters(*model, dist::world_size()); }),
                       "broadcast_parameters: root (" + n + ") must be in [0, " + n + ")"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { dist::broadcast(zeros({1}), -1); }), "root (-1)"));
}

// DDP's averaged gradient vs a single process's on the whole global batch, both float32, for
// overlapped (hook-driven) and end-of-backward reduction, with buckets small enough to need several.
TEST_F(DistributedTest, AveragedGradientsEqualSingleProcessGradientsOnTheConcatenatedBatch) {
  for (const bool overlap : {true, false}) {
    SCOPED_TRACE(overlap ? "overlap" : "no overlap");
    const GlobalBatch batch(3);
    manual_seed(7);
    const auto reference = small_model();
    manual_seed(7);
    const auto model = small_model();
    dist::DistributedDataParallel ddp(*model, {.bucket_cap_bytes = 512, .overlap = overlap});
    EXPECT_GT(ddp.bucket_count(), 2u);

    nn::functional::cross_entropy((*reference)(batch.x), batch.y).backward();
    nn::functional::cross_entropy((*model)(batch.local_x()), batch.local_y()).backward();
    EXPECT_EQ(ddp.started_buckets(), overlap ? ddp.bucket_count() : 0u);  // started from backward's hooks
    ddp.finish();
    EXPECT_EQ(ddp.started_buckets(), 0u);

    const auto expected = reference->named_parameters(), got = model->named_parameters();
    for (std::size_t k = 0; k < expected.size(); ++k) {
      const std::vector<double> e = expected[k].second.grad().to_vector<double>(), g = got[k].second.grad().to_vector<double>();
      double scale = 0.0;
      for (const double v : e) scale = std::max(scale, std::abs(v));
      for (std::size_t i = 0; i < e.size(); ++i) {
        EXPECT_NEAR(g[i], e[i], 2e-6 * scale) << expected[k].first << "[" << i << "]";
      }
    }
  }
}

// Different data on each rank, AdamW steps: after every step all ranks hold bitwise the same weights.
TEST_F(DistributedTest, ParametersStayIdenticalAcrossRanksAfterEveryStep) {
  manual_seed(11);
  const auto model = small_model();
  dist::DistributedDataParallel ddp(*model, {.bucket_cap_bytes = 1024});
  optim::AdamW optimizer(model->parameters(), {.lr = 1e-2});
  for (int step = 0; step < 5; ++step) {
    const GlobalBatch batch(static_cast<std::uint64_t>(20 + step));
    optimizer.zero_grad();
    nn::functional::cross_entropy((*model)(batch.local_x()), batch.local_y()).backward();
    ddp.finish();
    optimizer.step();
    EXPECT_TRUE(identical_on_all_ranks(flat_parameters(*model))) << "after step " << step;
  }
}

TEST_F(DistributedTest, ASecondBackwardBeforeFinishIsAnError) {
  manual_seed(12);
  const auto model = small_model();
  dist::DistributedDataParallel ddp(*model);
  const GlobalBatch batch(4);
  nn::functional::cross_entropy((*model)(batch.local_x()), batch.local_y()).backward();
  EXPECT_TRUE(contains(error_message<RuntimeError>([&] {
                         nn::functional::cross_entropy((*model)(batch.local_x()), batch.local_y()).backward();
                       }),
                       "before finish()"));
  ddp.finish();  // the first pass's buckets complete on every rank
}

TEST_F(DistributedTest, ShardsOfTheRanksCoverAnEpochExactlyOnce) {
  const std::int64_t n = 10 * dist::world_size();
  const dist::DistributedSampler sampler(n, dist::world_size(), dist::rank(), {.seed = 5});
  const std::vector<std::int64_t> mine = sampler.indices(0);
  const Tensor all = dist::allgather(tensor(std::vector<double>(mine.begin(), mine.end()), {sampler.size()}));
  std::vector<double> ids = all.to_vector<double>();
  std::sort(ids.begin(), ids.end());
  for (std::int64_t i = 0; i < n; ++i) EXPECT_EQ(ids[static_cast<std::size_t>(i)], static_cast<double>(i));
}

}  // namespace
}  // namespace lucid::test
