// The normalisation layers of issue 19 against LibTorch, float32, one thread:
//   lucid_forward            y = norm(x) under no_grad (output allocation included)
//   lucid_forward_backward   y = norm(x); y.backward(dy); grads reset to none
//   stream_forward           the forward's memory floor: y = x.clone() (read one tensor, write one)
//   stream_forward_backward  the forward+backward's: y = x.clone(), then dx = dy + x (read two, write one)
// for nn::LayerNorm, nn::RMSNorm, nn::BatchNorm2d (training mode) and nn::InstanceNorm2d on the cases
// of bench/norms_shapes.h, and, when CMake found LibTorch, torch_{forward, forward_backward}
// (bench/norms_torch.cc, registered into this program). bench/norms.sh builds and runs it and prints
// the table of times and ratios.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "bench/norms_shapes.h"
#include "bench/norms_torch.h"
#include "lucid.h"

namespace norms_bench {
namespace {

struct Inputs {
  std::shared_ptr<lucid::nn::Module> norm;
  lucid::Tensor x, dy;
  explicit Inputs(const Case& k) : x(lucid::randn(k.shape())), dy(lucid::randn(k.shape())) {
    switch (k.layer) {
      case Layer::layer_norm: norm = std::make_shared<lucid::nn::LayerNorm>(std::vector<std::int64_t>{k.cols()}); break;
      case Layer::rms_norm:
        norm = std::make_shared<lucid::nn::RMSNorm>(std::vector<std::int64_t>{k.cols()},
                                                    lucid::nn::RMSNormOptions{.eps = kRmsEps});
        break;
      case Layer::batch_norm_2d: norm = std::make_shared<lucid::nn::BatchNorm2d>(k.cols()); break;
      case Layer::instance_norm_2d: norm = std::make_shared<lucid::nn::InstanceNorm2d>(k.cols()); break;
    }
  }
};

void lucid_forward(benchmark::State& state) {
  lucid::set_num_threads(1);
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  lucid::autograd::no_grad guard;
  for (auto _ : state) {
    lucid::Tensor y = (*in.norm)(in.x);
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }
}

void lucid_forward_backward(benchmark::State& state) {
  lucid::set_num_threads(1);
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  in.x.requires_grad_(true);
  for (auto _ : state) {
    (*in.norm)(in.x).backward(in.dy);
    benchmark::DoNotOptimize(in.x.grad().data<float>());
    in.x.set_grad({});
    in.norm->zero_grad();
  }
}

// The least memory traffic any implementation of the layer must move, in lucid's own copy and add
// kernels with the same output allocations: a layer at its floor cannot be made faster, only the
// baseline slower.
void stream_forward(benchmark::State& state) {
  lucid::set_num_threads(1);
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  lucid::autograd::no_grad guard;
  for (auto _ : state) {
    lucid::Tensor y = in.x.clone();
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }
}

void stream_forward_backward(benchmark::State& state) {
  lucid::set_num_threads(1);
  lucid::manual_seed(0);
  Inputs in(CaseOf(state));
  lucid::autograd::no_grad guard;
  for (auto _ : state) {
    lucid::Tensor y = in.x.clone();
    lucid::Tensor dx = in.dy + in.x;
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::DoNotOptimize(dx.data<float>());
    benchmark::ClobberMemory();
  }
}

}  // namespace
}  // namespace norms_bench

int main(int argc, char** argv) {
  using namespace norms_bench;
  benchmark::RegisterBenchmark("lucid_forward", lucid_forward)->Apply(AllCases);
  benchmark::RegisterBenchmark("lucid_forward_backward", lucid_forward_backward)->Apply(AllCases);
  benchmark::RegisterBenchmark("stream_forward", stream_forward)->Apply(AllCases);
  benchmark::RegisterBenchmark("stream_forward_backward", stream_forward_backward)->Apply(AllCases);
  RegisterTorchBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
