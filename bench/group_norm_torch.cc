// LibTorch's GroupNorm (and GroupNorm followed by SiLU) on bench/group_norm's cases, measured exactly as the lucid half measures its
// own: forward under NoGradGuard, backward alone with manual timing, forward+backward with gradients
// reset to none after each iteration. For comparison only; never linked into lucid.
#include "bench/group_norm_torch.h"

#include <benchmark/benchmark.h>
// torch/types.h (ATen, autograd tensors, the torch:: functions) and torch/utils.h (NoGradGuard,
// thread settings, manual_seed) rather than torch/torch.h, whose nn/optim/data headers tripled this
// file's compile time (10 s instead of 24-31 s) for nothing it uses.
#include <torch/types.h>
#include <torch/utils.h>

#include <chrono>

#include "bench/group_norm_shapes.h"
#include "bench/heap_kept.h"
#include "bench/torch_threads.h"

namespace group_norm_bench {
namespace {

struct TorchInputs {
  torch::Tensor x, dy, weight, bias;
  std::int64_t groups;
  explicit TorchInputs(const Case& k)
      : x(torch::randn({k.n, k.c, k.h, k.w})),
        dy(torch::randn({k.n, k.c, k.h, k.w})),
        weight(torch::ones({k.c}).requires_grad_(true)),
        bias(torch::zeros({k.c}).requires_grad_(true)),
        groups(k.groups) {}
  torch::Tensor forward() const { return torch::group_norm(x, groups, weight, bias, 1e-5); }
  void reset_grads() {
    for (torch::Tensor* t : {&x, &weight, &bias}) t->mutable_grad().reset();
  }
};

std::int64_t Elements(const Case& k) { return k.n * k.c * k.h * k.w; }

void SetTraffic(benchmark::State& state, int tensors) {
  state.SetBytesProcessed(state.iterations() * Elements(CaseOf(state)) * tensors *
                          static_cast<std::int64_t>(sizeof(float)));
}

void torch_forward(benchmark::State& state) {
  lucid_bench::torch_use_threads(ThreadsOf(state));
  torch::manual_seed(0);
  TorchInputs in(CaseOf(state));
  torch::NoGradGuard guard;
  for (auto _ : state) {
    torch::Tensor y = in.forward();
    benchmark::DoNotOptimize(y.data_ptr<float>());
    benchmark::ClobberMemory();
  }
  SetTraffic(state, 2);
}

void torch_backward(benchmark::State& state) {
  lucid_bench::torch_use_threads(ThreadsOf(state));
  torch::manual_seed(0);
  TorchInputs in(CaseOf(state));
  in.x.requires_grad_(true);
  for (auto _ : state) {
    const torch::Tensor y = in.forward();
    const auto start = std::chrono::steady_clock::now();
    y.backward(in.dy);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    benchmark::DoNotOptimize(in.x.grad().data_ptr<float>());
    in.reset_grads();
  }
  SetTraffic(state, 3);
}

void torch_forward_backward(benchmark::State& state) {
  lucid_bench::torch_use_threads(ThreadsOf(state));
  torch::manual_seed(0);
  TorchInputs in(CaseOf(state));
  in.x.requires_grad_(true);
  for (auto _ : state) {
    in.forward().backward(in.dy);
    benchmark::DoNotOptimize(in.x.grad().data_ptr<float>());
    in.reset_grads();
  }
  SetTraffic(state, 5);
}

// torch::silu(torch::group_norm(x)): LibTorch's way of running GroupNorm followed by SiLU.
torch::Tensor gn_silu(const TorchInputs& in) { return torch::silu(in.forward()); }

void torch_gn_silu_forward(benchmark::State& state) {
  lucid_bench::torch_use_threads(ThreadsOf(state));
  torch::manual_seed(0);
  TorchInputs in(CaseOf(state));
  torch::NoGradGuard guard;
  for (auto _ : state) {
    torch::Tensor y = gn_silu(in);
    benchmark::DoNotOptimize(y.data_ptr<float>());
    benchmark::ClobberMemory();
  }
  SetTraffic(state, 2);
}

void torch_gn_silu_forward_backward(benchmark::State& state) {
  lucid_bench::torch_use_threads(ThreadsOf(state));
  torch::manual_seed(0);
  TorchInputs in(CaseOf(state));
  in.x.requires_grad_(true);
  state.counters["kept_bytes"] = static_cast<double>(KeptForBackward([&] { return gn_silu(in); }, [] {}));
  for (auto _ : state) {
    gn_silu(in).backward(in.dy);
    benchmark::DoNotOptimize(in.x.grad().data_ptr<float>());
    in.reset_grads();
  }
  SetTraffic(state, 5);
}

}  // namespace

void RegisterTorchBenchmarks() {
  benchmark::RegisterBenchmark("torch_forward", torch_forward)->Apply(AllCases)->UseRealTime();
  benchmark::RegisterBenchmark("torch_backward", torch_backward)->Apply(AllCases)->UseManualTime();
  benchmark::RegisterBenchmark("torch_forward_backward", torch_forward_backward)->Apply(AllCases)->UseRealTime();
  benchmark::RegisterBenchmark("torch_gn_silu_forward", torch_gn_silu_forward)->Apply(AllCases)->UseRealTime();
  benchmark::RegisterBenchmark("torch_gn_silu_forward_backward", torch_gn_silu_forward_backward)
      ->Apply(AllCases)
      ->UseRealTime();
}

}  // namespace group_norm_bench
