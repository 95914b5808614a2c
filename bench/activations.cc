// The activation kernels alone, single-threaded, on a (16, 64, 32, 32) tensor (2²⁰ elements, the
// Fashion-MNIST-sized GroupNorm+SiLU case of issue 15): forward (read x, write y) and backward (read
// x and g, write g·f'(x)) of sigmoid, silu, tanh, gelu (exact erf form) and exp in float32 and float64,
// called through their dispatch tables (framework/kernels/fused_elementwise.h), next to the memory
// rooflines of the same traffic: stream_forward copies one tensor, stream_backward adds two.
// Inputs are N(0, 3²), so both signs and the saturated tails occur.
//
//   OMP_NUM_THREADS=1 build/bench/activations --benchmark_repetitions=15 --benchmark_min_time=0.1
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/activations.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "hwy/highway.h"

#ifndef LUCID_BENCH_ACTIVATIONS_EXPRS_
#define LUCID_BENCH_ACTIVATIONS_EXPRS_
namespace activations_bench {
namespace e = lucid::expr;
using Copy = e::Stream<0>;                         // out = a: read one, write one
using Add = decltype(e::stream<0> + e::stream<1>);  // out = a + b: read two, write one
}  // namespace activations_bench
#endif

HWY_BEFORE_NAMESPACE();
namespace activations_bench::HWY_NAMESPACE {
LUCID_MAP_TARGET_KERNEL(StreamCopy, Copy)
LUCID_MAP_TARGET_KERNEL(StreamAdd, Add)
}  // namespace activations_bench::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <benchmark/benchmark.h>

#include <cstddef>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "framework/kernels/fused_elementwise.h"

namespace activations_bench {
LUCID_MAP_EXPORT_KERNEL(StreamCopy)
LUCID_MAP_EXPORT_KERNEL(StreamAdd)

namespace {

constexpr std::size_t kElements = std::size_t{16} * 64 * 32 * 32;

template <typename T>
std::vector<T> Normal(unsigned seed, double stddev) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, stddev);
  std::vector<T> v(kElements);
  for (T& value : v) value = static_cast<T>(normal(rng));
  return v;
}

// Times kernel(in, out) over kElements with in = {x, g}: a forward kernel reads x, a backward both.
template <typename T>
void Run(benchmark::State& state, lucid::expr::MapKernel<T> kernel) {
  const std::vector<T> x = Normal<T>(1, 3.0), g = Normal<T>(2, 1.0);
  std::vector<T> out(kElements);
  const T* in[] = {x.data(), g.data()};
  for (auto _ : state) {
    kernel(in, nullptr, out.data(), kElements);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kElements));
}

template <typename T>
void Register(const char* dtype) {
  using lucid::expr::FusedKernels;
  namespace k = lucid::kernels;
  const struct {
    const char* name;
    const FusedKernels* kernels;
  } ops[] = {{"sigmoid", &k::Sigmoid_kernels}, {"silu", &k::Silu_kernels}, {"tanh", &k::Tanh_kernels},
             {"gelu", &k::Gelu_kernels},       {"exp", &k::Exp_kernels}};
  const std::string suffix = std::string("/") + dtype;
  for (const auto& op : ops) {
    const FusedKernels* table = op.kernels;
    benchmark::RegisterBenchmark((std::string(op.name) + "_forward" + suffix).c_str(),
                                 [table](benchmark::State& s) { Run<T>(s, table->forward<T>()); });
    benchmark::RegisterBenchmark((std::string(op.name) + "_backward" + suffix).c_str(),
                                 [table](benchmark::State& s) { Run<T>(s, table->backward<T>(0)); });
  }
  const lucid::expr::MapKernel<T> copy = [](const T* const* in, const T* scalars, T* out, std::size_t n) {
    if constexpr (std::is_same_v<T, float>) HWY_DYNAMIC_DISPATCH(StreamCopy_f32)(in, scalars, out, n);
    else HWY_DYNAMIC_DISPATCH(StreamCopy_f64)(in, scalars, out, n);
  };
  const lucid::expr::MapKernel<T> add = [](const T* const* in, const T* scalars, T* out, std::size_t n) {
    if constexpr (std::is_same_v<T, float>) HWY_DYNAMIC_DISPATCH(StreamAdd_f32)(in, scalars, out, n);
    else HWY_DYNAMIC_DISPATCH(StreamAdd_f64)(in, scalars, out, n);
  };
  benchmark::RegisterBenchmark(("stream_forward" + suffix).c_str(), [copy](benchmark::State& s) { Run<T>(s, copy); });
  benchmark::RegisterBenchmark(("stream_backward" + suffix).c_str(), [add](benchmark::State& s) { Run<T>(s, add); });
}

}  // namespace
}  // namespace activations_bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("simd_target", lucid::expr::active_simd_target());
  activations_bench::Register<float>("f32");
  activations_bench::Register<double>("f64");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
#endif  // HWY_ONCE
