// Conv2d (float32, one thread) against LibTorch, on the cases of bench/conv2d_shapes.h:
//   lucid_forward            y = conv(x) under no_grad (output allocation included)
//   lucid_forward_backward   y = conv(x); y.backward(dy): dx, dW and db; grads reset to none
//   peak_fma                 the core's float32 FMA peak (bench/fma_peak.cc), the yardstick for GFLOP/s
// and, when CMake found LibTorch, torch_{forward, forward_backward} (bench/conv2d_torch.cc, registered
// into this program). Each reports its rate in the "flops" counter. bench/conv2d.sh builds and runs it
// and prints the table of times, GFLOP/s, shares of the peak and ratios.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "bench/conv2d_shapes.h"
#include "bench/conv2d_torch.h"
#include "lucid.h"

namespace conv2d_bench {

double FmaPeakWork(std::int64_t steps, float* sink);  // bench/fma_peak.cc

namespace {

struct Inputs {
  lucid::nn::Conv2d conv;
  lucid::Tensor x, dy;
  explicit Inputs(const Case& k)
      : conv(k.in_channels, k.out_channels, k.kernel,
             {.stride = k.stride, .padding = k.padding, .groups = k.groups}),
        x(lucid::randn(k.input_shape())),
        dy(lucid::randn({k.batch, k.out_channels, k.output_size(), k.output_size()})) {}
};

void lucid_forward(benchmark::State& state) {
  lucid::set_num_threads(1);
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  lucid::autograd::no_grad guard;
  for (auto _ : state) {
    lucid::Tensor y = in.conv(in.x);
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }
  ReportFlops(state, CaseOf(state).forward_flops());
}

void lucid_forward_backward(benchmark::State& state) {
  lucid::set_num_threads(1);
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  in.x.requires_grad_(true);
  for (auto _ : state) {
    in.conv(in.x).backward(in.dy);
    benchmark::DoNotOptimize(in.x.grad().data<float>());
    in.x.set_grad({});
    in.conv.zero_grad();
  }
  ReportFlops(state, 3 * CaseOf(state).forward_flops());
}

void peak_fma(benchmark::State& state) {
  constexpr std::int64_t kSteps = 1 << 20;
  float sink = 0.0F;
  double flops = 0.0;
  for (auto _ : state) {
    flops += FmaPeakWork(kSteps, &sink);
    benchmark::DoNotOptimize(sink);
  }
  state.counters["flops"] = benchmark::Counter(flops, benchmark::Counter::kIsRate);
}

}  // namespace
}  // namespace conv2d_bench

int main(int argc, char** argv) {
  using namespace conv2d_bench;
  benchmark::RegisterBenchmark("peak_fma", peak_fma)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("lucid_forward", lucid_forward)->Apply(AllCases);
  benchmark::RegisterBenchmark("lucid_forward_backward", lucid_forward_backward)->Apply(AllCases);
  RegisterTorchBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
