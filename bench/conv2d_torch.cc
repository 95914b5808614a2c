// LibTorch on bench/conv2d's cases, measured as the lucid half measures its own: forward under
// NoGradGuard, forward+backward (dx, dW, db) with gradients reset to none after each iteration, one
// thread. torch::conv2d runs oneDNN (mkldnn) or its own im2col + GEMM path, as PyTorch chooses.
// For comparison only; never linked into lucid.
#include "bench/conv2d_torch.h"

#include <benchmark/benchmark.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "bench/conv2d_shapes.h"
#include "bench/torch_threads.h"

namespace conv2d_bench {
namespace {

struct TorchInputs {
  torch::Tensor x, weight, bias, dy;
  Case k;
  explicit TorchInputs(const Case& c)
      : x(torch::randn(c.input_shape())),
        weight((torch::randn(c.weight_shape()) * 0.1).requires_grad_(true)),
        bias(torch::zeros({c.out_channels}).requires_grad_(true)),
        dy(torch::randn({c.batch, c.out_channels, c.output_size(), c.output_size()})),
        k(c) {}
  torch::Tensor forward() const {
    return torch::conv2d(x, weight, bias, {k.stride, k.stride}, {k.padding, k.padding}, {1, 1}, k.groups);
  }
};

void torch_forward(benchmark::State& state) {
  lucid_bench::torch_use_threads(1);
  torch::manual_seed(0);
  TorchInputs in(CaseOf(state));
  torch::NoGradGuard guard;
  for (auto _ : state) {
    torch::Tensor y = in.forward();
    benchmark::DoNotOptimize(y.data_ptr<float>());
    benchmark::ClobberMemory();
  }
  ReportFlops(state, CaseOf(state).forward_flops());
}

void torch_forward_backward(benchmark::State& state) {
  lucid_bench::torch_use_threads(1);
  torch::manual_seed(0);
  TorchInputs in(CaseOf(state));
  in.x.requires_grad_(true);
  for (auto _ : state) {
    in.forward().backward(in.dy);
    benchmark::DoNotOptimize(in.x.grad().data_ptr<float>());
    for (torch::Tensor* t : {&in.x, &in.weight, &in.bias}) t->mutable_grad().reset();
  }
  ReportFlops(state, 3 * CaseOf(state).forward_flops());
}

}  // namespace

void RegisterTorchBenchmarks() {
  benchmark::RegisterBenchmark("torch_forward", torch_forward)->Apply(AllCases);
  benchmark::RegisterBenchmark("torch_forward_backward", torch_forward_backward)->Apply(AllCases);
}

}  // namespace conv2d_bench
