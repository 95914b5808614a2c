// LibTorch on bench/norms' cases, measured as the lucid half measures its own: forward under
// NoGradGuard, forward+backward with gradients reset to none after each iteration, one thread.
// LayerNorm is torch::layer_norm, BatchNorm2d torch::batch_norm in training mode with running buffers,
// InstanceNorm2d torch::instance_norm without affine or buffers (as nn::InstanceNorm2d's defaults);
// RMSNorm (which LibTorch 1.13 lacks) x * rsqrt(mean(x²) + eps) * w.
// For comparison only; never linked into lucid.
#include "bench/norms_torch.h"

#include <benchmark/benchmark.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "bench/norms_shapes.h"
#include "bench/torch_threads.h"

namespace norms_bench {
namespace {

struct TorchInputs {
  torch::Tensor x, dy, weight, bias, running_mean, running_var;
  Case k;
  explicit TorchInputs(const Case& c)
      : x(torch::randn(c.shape())),
        dy(torch::randn(c.shape())),
        weight(torch::ones({c.cols()}).requires_grad_(true)),
        bias(torch::zeros({c.cols()}).requires_grad_(true)),
        running_mean(torch::zeros({c.cols()})),
        running_var(torch::ones({c.cols()})),
        k(c) {}
  torch::Tensor forward() const {
    switch (k.layer) {
      case Layer::layer_norm: return torch::layer_norm(x, {k.cols()}, weight, bias, 1e-5);
      case Layer::rms_norm: break;
      case Layer::batch_norm_2d:
        return torch::batch_norm(x, weight, bias, running_mean, running_var, /*training=*/true, 0.1, 1e-5, false);
      case Layer::instance_norm_2d: return torch::instance_norm(x, {}, {}, {}, {}, true, 0.1, 1e-5, false);
    }
    return x * torch::rsqrt(x.pow(2).mean(-1, true) + kRmsEps) * weight;
  }
  void reset_grads() {
    for (torch::Tensor* t : {&x, &weight, &bias}) t->mutable_grad().reset();
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
}

void torch_forward_backward(benchmark::State& state) {
  lucid_bench::torch_use_threads(1);
  torch::manual_seed(0);
  TorchInputs in(CaseOf(state));
  in.x.requires_grad_(true);
  for (auto _ : state) {
    in.forward().backward(in.dy);
    benchmark::DoNotOptimize(in.x.grad().data_ptr<float>());
    in.reset_grads();
  }
}

}  // namespace

void RegisterTorchBenchmarks() {
  benchmark::RegisterBenchmark("torch_forward", torch_forward)->Apply(AllCases);
  benchmark::RegisterBenchmark("torch_forward_backward", torch_forward_backward)->Apply(AllCases);
}

}  // namespace norms_bench
