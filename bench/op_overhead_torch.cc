// Per-op overhead of LibTorch's autograd on tiny tensors: the peer of bench/op_overhead.cc, for
// comparison only (built when CMake finds Torch; never linked into lucid).
//
// Measures the same chain of 1,000 elementwise ops (5 mul, 4 add, 1 tanh per block of ten; see
// op_overhead_chain.h) on float32 CPU leaves x, w, b of N = 1 and N = 64 elements requiring grad:
//   torch_forward_nograd/N     the chain under torch::NoGradGuard
//   torch_forward/N            the chain with the graph recorded, then freed
//   torch_forward_backward/N   the chain, sum(), backward() (graph freed by backward), grads reset
// The counter `per_op` is the time per chain op in seconds (total / 1,000). One intra-op and one
// inter-op thread (torch::set_num_threads(1), torch::set_num_interop_threads(1)); the CPU backward
// runs on the calling thread.
#include <benchmark/benchmark.h>
// torch/types.h (ATen, autograd tensors, the torch:: functions) and torch/utils.h (NoGradGuard,
// thread settings, manual_seed) rather than torch/torch.h, whose nn/optim/data headers tripled this
// file's compile time (10 s instead of 24-31 s) for nothing it uses.
#include <torch/types.h>
#include <torch/utils.h>

#include "bench/op_overhead_chain.h"
#include "bench/torch_threads.h"

namespace {

struct Leaves {
  torch::Tensor x, w, b;
  explicit Leaves(std::int64_t n)
      : x(torch::full({n}, op_overhead::kX, torch::dtype(torch::kFloat32).requires_grad(true))),
        w(torch::full({n}, op_overhead::kW, torch::dtype(torch::kFloat32).requires_grad(true))),
        b(torch::full({n}, op_overhead::kB, torch::dtype(torch::kFloat32).requires_grad(true))) {}
};

torch::Tensor chain(const Leaves& l) {
  return op_overhead::run_chain(
      l.x, l.w, l.b, [](const torch::Tensor& a, const torch::Tensor& c) { return a * c; },
      [](const torch::Tensor& a, const torch::Tensor& c) { return a + c; },
      [](const torch::Tensor& a) { return torch::tanh(a); });
}

void reset_grads(Leaves& l) {
  for (torch::Tensor* t : {&l.x, &l.w, &l.b}) t->mutable_grad().reset();  // zero_grad(set_to_none=True)
}

void set_per_op_counter(benchmark::State& state) {
  state.counters["per_op"] = benchmark::Counter(op_overhead::kChainOps, benchmark::Counter::kIsIterationInvariantRate |
                                                                            benchmark::Counter::kInvert);
}

void torch_forward_nograd(benchmark::State& state) {
  lucid_bench::torch_use_threads(1);
  const Leaves l(state.range(0));
  torch::NoGradGuard guard;
  for (auto _ : state) {
    torch::Tensor y = chain(l);
    benchmark::DoNotOptimize(y.data_ptr<float>());
    benchmark::ClobberMemory();
  }
  set_per_op_counter(state);
  state.counters["y0"] = chain(l)[0].item<double>();
}

void torch_forward(benchmark::State& state) {
  lucid_bench::torch_use_threads(1);
  const Leaves l(state.range(0));
  for (auto _ : state) {
    torch::Tensor y = chain(l);
    benchmark::DoNotOptimize(y.data_ptr<float>());
    benchmark::ClobberMemory();
  }  // y's destructor frees the 1,000-node graph
  set_per_op_counter(state);
  state.counters["y0"] = chain(l)[0].item<double>();
}

void torch_forward_backward(benchmark::State& state) {
  lucid_bench::torch_use_threads(1);
  Leaves l(state.range(0));
  for (auto _ : state) {
    torch::Tensor loss = chain(l).sum();
    loss.backward();  // frees the graph's saved tensors
    benchmark::DoNotOptimize(l.x.grad().data_ptr<float>());
    benchmark::ClobberMemory();
    reset_grads(l);
  }
  set_per_op_counter(state);
  chain(l).sum().backward();  // d sum(y) / d x[0], the same value as the lucid program's
  state.counters["dx0"] = l.x.grad()[0].item<double>();
  reset_grads(l);
}

}  // namespace

BENCHMARK(torch_forward_nograd)->ArgName("numel")->Arg(1)->Arg(64);
BENCHMARK(torch_forward)->ArgName("numel")->Arg(1)->Arg(64);
BENCHMARK(torch_forward_backward)->ArgName("numel")->Arg(1)->Arg(64);

BENCHMARK_MAIN();
