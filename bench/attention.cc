// Attention's two building blocks, one thread, float32, against LibTorch in the same program (when
// CMake found it: bench/attention_torch.cc): the batched product scores = q·kᵀ of (B·H, T, d) batches
// (lucid::matmul with k transposed by the GEMM flags: bmm of q and kᵀ), and softmax over the last
// dimension of (B·H, T, T) scores, forward and forward+backward. bench/attention.sh prints the ratios.
//
//   lucid_bmm/S             scores = bmm(q, kᵀ) (k given as (B·H, d, T), as attention's kᵀ view is)
//   lucid_softmax/S         softmax(scores, -1)
//   lucid_softmax_backward/S softmax then backward of sum(y·w) (w fixed), the gradient reaching scores
#include <benchmark/benchmark.h>

#include "bench/attention_shapes.h"
#include "lucid.h"

#ifdef LUCID_BENCH_WITH_TORCH
namespace attention_bench {
void RegisterTorchBenchmarks();
}
#endif

namespace {

using attention_bench::kShapes;

void lucid_bmm(benchmark::State& state) {
  lucid::set_num_threads(1);
  const auto s = kShapes[static_cast<std::size_t>(state.range(0))];
  lucid::manual_seed(0);
  const lucid::Tensor q = lucid::randn({s.batch, s.tokens, s.head_dim});
  const lucid::Tensor k_t = lucid::randn({s.batch, s.head_dim, s.tokens});
  for (auto _ : state) benchmark::DoNotOptimize(lucid::bmm(q, k_t).impl());
}

void lucid_softmax(benchmark::State& state) {
  lucid::set_num_threads(1);
  const auto s = kShapes[static_cast<std::size_t>(state.range(0))];
  lucid::manual_seed(0);
  const lucid::Tensor scores = lucid::randn({s.batch, s.tokens, s.tokens});
  for (auto _ : state) benchmark::DoNotOptimize(lucid::softmax(scores, -1).impl());
}

void lucid_softmax_backward(benchmark::State& state) {
  lucid::set_num_threads(1);
  const auto s = kShapes[static_cast<std::size_t>(state.range(0))];
  lucid::manual_seed(0);
  const lucid::Tensor scores = lucid::randn({s.batch, s.tokens, s.tokens}).requires_grad_(true);
  const lucid::Tensor w = lucid::randn({s.batch, s.tokens, s.tokens});
  for (auto _ : state) {
    lucid::softmax(scores, -1).backward(w);
    benchmark::DoNotOptimize(scores.grad().impl());
    scores.impl()->grad.reset();
  }
}

void AllShapes(benchmark::internal::Benchmark* b) {
  for (std::size_t i = 0; i < kShapes.size(); ++i) b->Arg(static_cast<std::int64_t>(i));
  b->ArgName("shape")->UseRealTime();
}

BENCHMARK(lucid_bmm)->Apply(AllShapes);
BENCHMARK(lucid_softmax)->Apply(AllShapes);
BENCHMARK(lucid_softmax_backward)->Apply(AllShapes);

}  // namespace

int main(int argc, char** argv) {
#ifdef LUCID_BENCH_WITH_TORCH
  attention_bench::RegisterTorchBenchmarks();
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
