// GroupNorm, float32, on the six shapes with 1 and 2 threads:
//   lucid_forward            y = gn(x) under no_grad (output allocation included)
//   lucid_backward           y.backward(dy) alone (manual timing; forward outside the timed region):
//                            dx, dγ, dβ through the autograd node, allocations included
//   lucid_forward_backward   y = gn(x); y.backward(dy); grads reset to none
//   stream_forward           the forward's memory roofline: read one tensor, write one (Highway copy)
//   stream_backward          the backward's: read two tensors, write one (Highway add)
// and, when CMake found LibTorch, torch_forward / torch_backward / torch_forward_backward, the same
// cases through torch::group_norm (bench/group_norm_torch.cc, registered into this program).
// bench/group_norm.sh builds and runs it and prints the table of times and ratios.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/group_norm.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/expr/define_kernels.h"
#include "framework/expr/evaluate-inl.h"
#include "hwy/highway.h"

#ifndef LUCID_BENCH_GROUP_NORM_EXPRS_
#define LUCID_BENCH_GROUP_NORM_EXPRS_
namespace group_norm_bench {
namespace e = lucid::expr;
using Copy = e::Stream<0>;                         // out = a: read one, write one
using Add = decltype(e::stream<0> + e::stream<1>);  // out = a + b: read two, write one
}  // namespace group_norm_bench
#endif

HWY_BEFORE_NAMESPACE();
namespace group_norm_bench::HWY_NAMESPACE {
LUCID_MAP_TARGET_KERNEL(StreamCopy, Copy)
LUCID_MAP_TARGET_KERNEL(StreamAdd, Add)
}  // namespace group_norm_bench::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <omp.h>

#include <chrono>

#include "bench/group_norm_shapes.h"
#include "bench/group_norm_torch.h"
#include "lucid.h"

namespace group_norm_bench {
LUCID_MAP_EXPORT_KERNEL(StreamCopy)
LUCID_MAP_EXPORT_KERNEL(StreamAdd)

namespace {

struct Inputs {
  lucid::nn::GroupNorm gn;
  lucid::Tensor x, dy;
  explicit Inputs(const Case& k)
      : gn(k.groups, k.c), x(lucid::randn({k.n, k.c, k.h, k.w})), dy(lucid::randn({k.n, k.c, k.h, k.w})) {}
};

std::int64_t Elements(const Case& k) { return k.n * k.c * k.h * k.w; }

// Bytes the kernel must move at the least: `tensors` tensors of the case's size.
void SetTraffic(benchmark::State& state, int tensors) {
  state.SetBytesProcessed(state.iterations() * Elements(CaseOf(state)) * tensors *
                          static_cast<std::int64_t>(sizeof(float)));
}

void lucid_forward(benchmark::State& state) {
  lucid::set_num_threads(ThreadsOf(state));
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  lucid::autograd::no_grad guard;
  for (auto _ : state) {
    lucid::Tensor y = in.gn(in.x);
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }
  SetTraffic(state, 2);
}

void lucid_backward(benchmark::State& state) {
  lucid::set_num_threads(ThreadsOf(state));
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  in.x.requires_grad_(true);
  for (auto _ : state) {
    const lucid::Tensor y = in.gn(in.x);
    const auto start = std::chrono::steady_clock::now();
    y.backward(in.dy);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    benchmark::DoNotOptimize(in.x.grad().data<float>());
    in.x.set_grad({});
    in.gn.zero_grad();
  }
  SetTraffic(state, 3);
}

void lucid_forward_backward(benchmark::State& state) {
  lucid::set_num_threads(ThreadsOf(state));
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  in.x.requires_grad_(true);
  for (auto _ : state) {
    in.gn(in.x).backward(in.dy);
    benchmark::DoNotOptimize(in.x.grad().data<float>());
    in.x.set_grad({});
    in.gn.zero_grad();
  }
  SetTraffic(state, 5);
}

void stream_forward(benchmark::State& state) {
  lucid::set_num_threads(ThreadsOf(state));
  const auto n = static_cast<std::size_t>(Elements(CaseOf(state)));
  const lucid::Tensor a = lucid::randn({static_cast<std::int64_t>(n)});
  lucid::Tensor out = lucid::zeros({static_cast<std::int64_t>(n)});
  for (auto _ : state) {
    // Split over the threads as GroupNorm is, so that 2-thread runs compare like with like.
#pragma omp parallel num_threads(ThreadsOf(state))
    {
      const auto t = static_cast<std::size_t>(omp_get_thread_num()), nt = static_cast<std::size_t>(omp_get_num_threads());
      const std::size_t begin = n * t / nt, end = n * (t + 1) / nt;
      const float* streams[] = {a.data<float>() + begin};
      HWY_DYNAMIC_DISPATCH(StreamCopy_f32)(streams, nullptr, out.data<float>() + begin, end - begin);
    }
    benchmark::ClobberMemory();
  }
  SetTraffic(state, 2);
}

void stream_backward(benchmark::State& state) {
  lucid::set_num_threads(ThreadsOf(state));
  const auto n = static_cast<std::size_t>(Elements(CaseOf(state)));
  const lucid::Tensor a = lucid::randn({static_cast<std::int64_t>(n)}), b = lucid::randn({static_cast<std::int64_t>(n)});
  lucid::Tensor out = lucid::zeros({static_cast<std::int64_t>(n)});
  for (auto _ : state) {
#pragma omp parallel num_threads(ThreadsOf(state))
    {
      const auto t = static_cast<std::size_t>(omp_get_thread_num()), nt = static_cast<std::size_t>(omp_get_num_threads());
      const std::size_t begin = n * t / nt, end = n * (t + 1) / nt;
      const float* streams[] = {a.data<float>() + begin, b.data<float>() + begin};
      HWY_DYNAMIC_DISPATCH(StreamAdd_f32)(streams, nullptr, out.data<float>() + begin, end - begin);
    }
    benchmark::ClobberMemory();
  }
  SetTraffic(state, 3);
}

BENCHMARK(lucid_forward)->Apply(AllCases)->UseRealTime();
BENCHMARK(lucid_backward)->Apply(AllCases)->UseManualTime();
BENCHMARK(lucid_forward_backward)->Apply(AllCases)->UseRealTime();
BENCHMARK(stream_forward)->Apply(AllCases)->UseRealTime();
BENCHMARK(stream_backward)->Apply(AllCases)->UseRealTime();

}  // namespace
}  // namespace group_norm_bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("simd_target", lucid::expr::active_simd_target());
  group_norm_bench::RegisterTorchBenchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
#endif  // HWY_ONCE
