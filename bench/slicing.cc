// Basic slicing costs no copy: x.narrow, x.select and x.index({Slice(...), ...}) on (rows, 256) float32
// tensors from 4 KiB to 256 MiB take the same time whatever the size (a view: a new shape, strides
// and offset on the same storage), while materialising the same slice (contiguous()) grows with it.
// Google Benchmark fits the complexity of each: O(1) for the views, O(N) for the copies.
//
//   ./build/bench/slicing
#include <benchmark/benchmark.h>

#include "lucid.h"

namespace {

using lucid::indexing::None;
using lucid::indexing::Slice;

constexpr std::int64_t kColumns = 256;

lucid::Tensor input(const benchmark::State& state) { return lucid::zeros({state.range(0), kColumns}); }

void set_complexity(benchmark::State& state) { state.SetComplexityN(state.range(0) * kColumns); }

void BM_NarrowView(benchmark::State& state) {
  const lucid::Tensor x = input(state);
  for (auto _ : state) benchmark::DoNotOptimize(x.narrow(0, 1, x.size(0) - 2));
  set_complexity(state);
}

void BM_SelectColumnView(benchmark::State& state) {
  const lucid::Tensor x = input(state);
  for (auto _ : state) benchmark::DoNotOptimize(x.select(1, 3));
  set_complexity(state);
}

void BM_IndexStepSliceView(benchmark::State& state) {
  const lucid::Tensor x = input(state);
  for (auto _ : state) benchmark::DoNotOptimize(x.index({Slice(1, None), Slice(None, None, 2)}));
  set_complexity(state);
}

// The same strided slice copied into its own storage: what a slice cost before views.
void BM_IndexStepSliceCopy(benchmark::State& state) {
  const lucid::Tensor x = input(state);
  for (auto _ : state) benchmark::DoNotOptimize(x.index({Slice(1, None), Slice(None, None, 2)}).contiguous());
  set_complexity(state);
}

void sizes(benchmark::internal::Benchmark* b) { b->RangeMultiplier(16)->Range(4, 1 << 18)->Complexity(); }

BENCHMARK(BM_NarrowView)->Apply(sizes);
BENCHMARK(BM_SelectColumnView)->Apply(sizes);
BENCHMARK(BM_IndexStepSliceView)->Apply(sizes);
BENCHMARK(BM_IndexStepSliceCopy)->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
