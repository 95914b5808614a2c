// LibTorch's half of bench/attention (compiled as C++17, LibTorch 1.13's standard): torch::bmm and
// torch::softmax on the same shapes, one intra-op thread.
#include <benchmark/benchmark.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "bench/attention_shapes.h"

namespace attention_bench {
namespace {

void torch_bmm(benchmark::State& state) {
  torch::set_num_threads(1);
  const auto s = kShapes[static_cast<std::size_t>(state.range(0))];
  torch::manual_seed(0);
  const torch::Tensor q = torch::randn({s.batch, s.tokens, s.head_dim});
  const torch::Tensor k_t = torch::randn({s.batch, s.head_dim, s.tokens});
  torch::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(torch::bmm(q, k_t));
}

void torch_softmax(benchmark::State& state) {
  torch::set_num_threads(1);
  const auto s = kShapes[static_cast<std::size_t>(state.range(0))];
  torch::manual_seed(0);
  const torch::Tensor scores = torch::randn({s.batch, s.tokens, s.tokens});
  torch::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(torch::softmax(scores, -1));
}

void torch_softmax_backward(benchmark::State& state) {
  torch::set_num_threads(1);
  const auto s = kShapes[static_cast<std::size_t>(state.range(0))];
  torch::manual_seed(0);
  torch::Tensor scores = torch::randn({s.batch, s.tokens, s.tokens}).requires_grad_(true);
  const torch::Tensor w = torch::randn({s.batch, s.tokens, s.tokens});
  for (auto _ : state) {
    torch::softmax(scores, -1).backward(w);
    benchmark::DoNotOptimize(scores.grad());
    scores.mutable_grad().reset();
  }
}

}  // namespace

void RegisterTorchBenchmarks() {
  for (const auto& [name, fn] : {std::pair{"torch_bmm", &torch_bmm}, std::pair{"torch_softmax", &torch_softmax},
                                 std::pair{"torch_softmax_backward", &torch_softmax_backward}}) {
    auto* b = benchmark::RegisterBenchmark(name, fn);
    for (std::size_t i = 0; i < kShapes.size(); ++i) b->Arg(static_cast<std::int64_t>(i));
    b->ArgName("shape")->UseRealTime();
  }
}

}  // namespace attention_bench
