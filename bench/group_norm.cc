// GroupNorm, float32, on the six shapes with 1 and 2 threads:
//   lucid_forward            y = gn(x) under no_grad (output allocation included)
//   lucid_backward           y.backward(dy) alone (manual timing; forward outside the timed region):
//                            dx, dγ, dβ through the autograd node, allocations included
//   lucid_forward_backward   y = gn(x); y.backward(dy); grads reset to none
//   stream_forward           the forward's memory roofline: read one tensor, write one (Highway copy)
//   stream_backward          the backward's: read two tensors, write one (Highway add)
//   read_one, read_two       read one tensor (x) or two (dy, x) and sum them: a statistics pass alone
//   gn_silu_{fused, unfused, sequential}_{forward, forward_backward}
//                            GroupNorm followed by SiLU: group_norm(..., Activation::silu), lucid's
//                            silu(group_norm(x)), and Sequential(GroupNorm, SiLU) (fused on its own);
//                            counter kept_bytes: the heap the forward's graph keeps alive for the
//                            backward, beyond the inputs and the output (measured once per case)
// and, when CMake found LibTorch, torch_forward / torch_backward / torch_forward_backward and
// torch_gn_silu_{forward, forward_backward}, the same cases through torch::group_norm and
// torch::silu(torch::group_norm(x)) (bench/group_norm_torch.cc, registered into this program).
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
using First = e::Stream<0>;                        // Σa (read one; with Second: Σa, Σb, read two)
using Second = e::Stream<1>;
}  // namespace group_norm_bench
#endif

HWY_BEFORE_NAMESPACE();
namespace group_norm_bench::HWY_NAMESPACE {
LUCID_MAP_TARGET_KERNEL(StreamCopy, Copy)
LUCID_MAP_TARGET_KERNEL(StreamAdd, Add)
LUCID_REDUCE_TARGET_KERNEL(SumOne, First)
LUCID_REDUCE_TARGET_KERNEL(SumTwo, First, Second)
}  // namespace group_norm_bench::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <omp.h>

#include <array>
#include <chrono>

#include "bench/group_norm_shapes.h"
#include "bench/heap_kept.h"
#include "bench/group_norm_torch.h"
#include "lucid.h"

namespace group_norm_bench {
LUCID_MAP_EXPORT_KERNEL(StreamCopy)
LUCID_MAP_EXPORT_KERNEL(StreamAdd)
LUCID_MAP_EXPORT_KERNEL(SumOne)
LUCID_MAP_EXPORT_KERNEL(SumTwo)

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

// Runs kernel(streams, out, count) on each OpenMP thread's share of kInputs tensors of the case's
// size, split as GroupNorm splits its items so that 2-thread runs compare like with like; `out` is
// that share of one more such tensor when `writes`, else null (a read-only pass).
template <std::size_t kInputs, class Kernel>
void RunBaseline(benchmark::State& state, bool writes, Kernel kernel) {
  lucid::set_num_threads(ThreadsOf(state));
  const auto n = static_cast<std::size_t>(Elements(CaseOf(state)));
  std::array<lucid::Tensor, kInputs> in;
  for (lucid::Tensor& t : in) t = lucid::randn({static_cast<std::int64_t>(n)});
  lucid::Tensor out = writes ? lucid::zeros({static_cast<std::int64_t>(n)}) : lucid::Tensor();
  for (auto _ : state) {
#pragma omp parallel num_threads(ThreadsOf(state))
    {
      const auto t = static_cast<std::size_t>(omp_get_thread_num()), nt = static_cast<std::size_t>(omp_get_num_threads());
      const std::size_t begin = n * t / nt, end = n * (t + 1) / nt;
      std::array<const float*, kInputs> streams;
      for (std::size_t k = 0; k < kInputs; ++k) streams[k] = in[k].template data<float>() + begin;
      kernel(streams.data(), writes ? out.data<float>() + begin : nullptr, end - begin);
    }
    benchmark::ClobberMemory();
  }
  SetTraffic(state, static_cast<int>(kInputs) + (writes ? 1 : 0));
}

void stream_forward(benchmark::State& state) {
  RunBaseline<1>(state, true, [](const float* const* in, float* out, std::size_t n) {
    HWY_DYNAMIC_DISPATCH(StreamCopy_f32)(in, nullptr, out, n);
  });
}

void stream_backward(benchmark::State& state) {
  RunBaseline<2>(state, true, [](const float* const* in, float* out, std::size_t n) {
    HWY_DYNAMIC_DISPATCH(StreamAdd_f32)(in, nullptr, out, n);
  });
}

// The statistics passes alone read x (forward) or dy and x (backward) once; added to the stream of
// the same row they give the time of two passes that do not overlap, the floor of a two-pass
// GroupNorm whose second pass re-reads its group from cache for free.
void read_one(benchmark::State& state) {
  RunBaseline<1>(state, false, [](const float* const* in, float*, std::size_t n) {
    double sums[1];
    HWY_DYNAMIC_DISPATCH(SumOne_f32)(in, nullptr, n, sums);
    benchmark::DoNotOptimize(sums);
  });
}

void read_two(benchmark::State& state) {
  RunBaseline<2>(state, false, [](const float* const* in, float*, std::size_t n) {
    double sums[2];
    HWY_DYNAMIC_DISPATCH(SumTwo_f32)(in, nullptr, n, sums);
    benchmark::DoNotOptimize(sums);
  });
}

// GroupNorm → SiLU, the three ways of running the pair in lucid.
enum class Pair { fused, unfused, sequential };

struct PairInputs {
  lucid::nn::Sequential net;
  lucid::Tensor x, dy;
  std::int64_t groups;
  explicit PairInputs(const Case& k)
      : net(lucid::nn::GroupNorm(k.groups, k.c), lucid::nn::SiLU()),
        x(lucid::randn({k.n, k.c, k.h, k.w})),
        dy(lucid::randn({k.n, k.c, k.h, k.w})),
        groups(k.groups) {}
  lucid::Tensor run(Pair pair) {
    const lucid::Tensor w = net.parameters()[0];
    const lucid::Tensor b = net.parameters()[1];
    namespace F = lucid::nn::functional;
    switch (pair) {
      case Pair::fused: return F::group_norm(x, groups, w, b, 1e-5, lucid::nn::Activation::silu);
      case Pair::unfused: return lucid::silu(F::group_norm(x, groups, w, b, 1e-5));
      case Pair::sequential: break;
    }
    return net(x);
  }
};

template <Pair P>
void gn_silu_forward(benchmark::State& state) {
  lucid::set_num_threads(ThreadsOf(state));
  lucid::manual_seed(0);
  PairInputs in(CaseOf(state));
  lucid::autograd::no_grad guard;
  for (auto _ : state) {
    lucid::Tensor y = in.run(P);
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }
  SetTraffic(state, 2);
}

template <Pair P>
void gn_silu_forward_backward(benchmark::State& state) {
  lucid::set_num_threads(ThreadsOf(state));
  lucid::manual_seed(0);
  PairInputs in(CaseOf(state));
  in.x.requires_grad_(true);
  state.counters["kept_bytes"] =
      static_cast<double>(KeptForBackward([&] { return in.run(P); }, [] { lucid::release_cached_memory(); }));
  for (auto _ : state) {
    in.run(P).backward(in.dy);
    benchmark::DoNotOptimize(in.x.grad().data<float>());
    in.x.set_grad({});
    in.net.zero_grad();
  }
  SetTraffic(state, 5);
}

BENCHMARK(lucid_forward)->Apply(AllCases)->UseRealTime();
BENCHMARK(lucid_backward)->Apply(AllCases)->UseManualTime();
BENCHMARK(lucid_forward_backward)->Apply(AllCases)->UseRealTime();
BENCHMARK(stream_forward)->Apply(AllCases)->UseRealTime();
BENCHMARK(stream_backward)->Apply(AllCases)->UseRealTime();
BENCHMARK(read_one)->Apply(AllCases)->UseRealTime();
BENCHMARK(read_two)->Apply(AllCases)->UseRealTime();
BENCHMARK(gn_silu_forward<Pair::fused>)->Name("gn_silu_fused_forward")->Apply(AllCases)->UseRealTime();
BENCHMARK(gn_silu_forward<Pair::unfused>)->Name("gn_silu_unfused_forward")->Apply(AllCases)->UseRealTime();
BENCHMARK(gn_silu_forward<Pair::sequential>)->Name("gn_silu_sequential_forward")->Apply(AllCases)->UseRealTime();
BENCHMARK(gn_silu_forward_backward<Pair::fused>)->Name("gn_silu_fused_forward_backward")->Apply(AllCases)->UseRealTime();
BENCHMARK(gn_silu_forward_backward<Pair::unfused>)->Name("gn_silu_unfused_forward_backward")->Apply(AllCases)->UseRealTime();
BENCHMARK(gn_silu_forward_backward<Pair::sequential>)
    ->Name("gn_silu_sequential_forward_backward")
    ->Apply(AllCases)
    ->UseRealTime();

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
