// The fused expression (x − m)·r·g + b (m, r, g, b scalars) over float32 tensors of 1K to 16M
// elements, next to (a) a same-size read+write stream, the memory roofline of any such kernel, and
// (b) the same math as four separate tensor ops (x − m, ·r, ·g, + b), each a full pass with its
// own output allocation. bench/fused_expression.sh runs it and prints the ratios.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/fused_expression.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "hwy/highway.h"

#ifndef LUCID_BENCH_FUSED_EXPRESSION_EXPRS_
#define LUCID_BENCH_FUSED_EXPRESSION_EXPRS_
namespace bench {
namespace e = lucid::expr;
using Normalize = decltype((e::stream<0> - e::scalar<0>) * e::scalar<1> * e::scalar<2> + e::scalar<3>);
using Copy = e::Stream<0>;  // out = x: one load and one store per vector, nothing else
}  // namespace bench
#endif

HWY_BEFORE_NAMESPACE();
namespace bench::HWY_NAMESPACE {
LUCID_MAP_TARGET_KERNEL(Normalize, Normalize)
LUCID_MAP_TARGET_KERNEL(Stream, Copy)
}  // namespace bench::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <benchmark/benchmark.h>

#include "lucid.h"

namespace bench {
LUCID_MAP_EXPORT_KERNEL(Normalize)
LUCID_MAP_EXPORT_KERNEL(Stream)

constexpr float kScalars[] = {0.25f, 1.5f, 0.75f, -0.5f};  // m, r, g, b

// Bytes moved per call: every variant reads n floats and writes n floats at the least.
void SetTraffic(benchmark::State& state, std::int64_t n) {
  state.SetBytesProcessed(state.iterations() * n * 2 * static_cast<std::int64_t>(sizeof(float)));
  state.counters["elements"] = static_cast<double>(n);
}

void BM_FusedExpression(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const lucid::Tensor x = lucid::randn({n});
  lucid::Tensor out = lucid::zeros({n});
  const float* in[] = {x.data<float>()};
  for (auto _ : state) {
    HWY_DYNAMIC_DISPATCH(Normalize_f32)(in, kScalars, out.data<float>(), static_cast<std::size_t>(n));
    benchmark::ClobberMemory();
  }
  SetTraffic(state, n);
}

void BM_StreamBaseline(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const lucid::Tensor x = lucid::randn({n});
  lucid::Tensor out = lucid::zeros({n});
  const float* in[] = {x.data<float>()};
  for (auto _ : state) {
    HWY_DYNAMIC_DISPATCH(Stream_f32)(in, nullptr, out.data<float>(), static_cast<std::size_t>(n));
    benchmark::ClobberMemory();
  }
  SetTraffic(state, n);
}

void BM_UnfusedTensorOps(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const lucid::Tensor x = lucid::randn({n});
  lucid::autograd::no_grad guard;
  for (auto _ : state) {
    lucid::Tensor y = (x - kScalars[0]) * kScalars[1] * kScalars[2] + kScalars[3];
    benchmark::DoNotOptimize(y.data<float>());
  }
  SetTraffic(state, n);
}

#define LUCID_SIZES ->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Arg(1 << 24)->Unit(benchmark::kMicrosecond)
BENCHMARK(BM_FusedExpression) LUCID_SIZES;
BENCHMARK(BM_StreamBaseline) LUCID_SIZES;
BENCHMARK(BM_UnfusedTensorOps) LUCID_SIZES;

}  // namespace bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("simd_target", lucid::expr::active_simd_target());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
#endif  // HWY_ONCE
