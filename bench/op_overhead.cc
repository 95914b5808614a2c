// Per-op overhead of lucid's define-by-run engine on tiny tensors.
//
// Measures a chain of 1,000 elementwise ops (5 mul, 4 add, 1 tanh per block of ten; see
// op_overhead_chain.h) on float32 leaves x, w, b of N = 1 and N = 64 elements, x/w/b requiring grad:
//   lucid_forward_nograd/N     the chain inside autograd::no_grad (kernels + tensor allocation only)
//   lucid_forward/N            the chain with the graph recorded, then freed (tensors and nodes)
//   lucid_forward_backward/N   the chain, sum(), backward() (graph freed by backward), grads reset
// The counter `per_op` is the time per chain op in seconds (total / 1,000; the console shows it with
// an SI prefix, "85n" = 85 ns). One thread. bench/op_overhead_torch.cc runs the same chain in
// LibTorch; bench/op_overhead.sh runs both and prints the ratio.
//
// Module calls through Module::operator(), a Sequential of 8 layers, float32, graph recorded then freed:
//   lucid_module_linear/hooks:H   Linear(16, 16) layers on a (1, 16) input (parameters require grad)
//   lucid_module_tanh/hooks:H     Tanh layers on a (16,) input that requires grad (one tiny op each)
// H = 0: no hooks, operator() is forward() behind one null-pointer test; H = 1: one forward hook
// returning {} on every layer (none on the Sequential itself). `per_module` is the time per
// layer call.
#include <benchmark/benchmark.h>

#include <optional>
#include <vector>

#include "bench/op_overhead_chain.h"
#include "lucid.h"

namespace {

using lucid::Tensor;

struct Leaves {
  Tensor x, w, b;
  explicit Leaves(std::int64_t n)
      : x(lucid::full({n}, op_overhead::kX, lucid::float32, /*requires_grad=*/true)),
        w(lucid::full({n}, op_overhead::kW, lucid::float32, /*requires_grad=*/true)),
        b(lucid::full({n}, op_overhead::kB, lucid::float32, /*requires_grad=*/true)) {}
};

Tensor chain(const Leaves& l) {
  return op_overhead::run_chain(
      l.x, l.w, l.b, [](const Tensor& a, const Tensor& c) { return a * c; },
      [](const Tensor& a, const Tensor& c) { return a + c; }, [](const Tensor& a) { return a.tanh(); });
}

void set_per_op_counter(benchmark::State& state) {
  state.counters["per_op"] = benchmark::Counter(op_overhead::kChainOps, benchmark::Counter::kIsIterationInvariantRate |
                                                                            benchmark::Counter::kInvert);
}

void lucid_forward_nograd(benchmark::State& state) {
  lucid::set_num_threads(1);
  const Leaves l(state.range(0));
  lucid::autograd::no_grad guard;
  for (auto _ : state) {
    Tensor y = chain(l);
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }  // y (and with it every intermediate) is freed here
  set_per_op_counter(state);
  state.counters["y0"] = chain(l).to_vector<double>()[0];  // the same value as the LibTorch program's
}

void lucid_forward(benchmark::State& state) {
  lucid::set_num_threads(1);
  const Leaves l(state.range(0));
  for (auto _ : state) {
    Tensor y = chain(l);
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }  // y's destructor frees the 1,000-node graph
  set_per_op_counter(state);
  state.counters["y0"] = chain(l).to_vector<double>()[0];  // the same value as the LibTorch program's
}

void lucid_forward_backward(benchmark::State& state) {
  lucid::set_num_threads(1);
  const Leaves l(state.range(0));
  for (auto _ : state) {
    Tensor loss = chain(l).sum();
    loss.backward();  // frees the graph's saved tensors
    benchmark::DoNotOptimize(l.x.grad().data<float>());
    benchmark::ClobberMemory();
    // Gradients to None, as optimizer.zero_grad(set_to_none=True) does, so every iteration
    // does the same work.
    l.x.set_grad({});
    l.w.set_grad({});
    l.b.set_grad({});
  }
  set_per_op_counter(state);
  chain(l).sum().backward();  // d sum(y) / d x[0], the same value as the LibTorch program's
  state.counters["dx0"] = l.x.grad().to_vector<double>()[0];
  l.x.set_grad({});
  l.w.set_grad({});
  l.b.set_grad({});
}

constexpr int kLayers = 8;

// The 8 layers of net applied to x in one of three ways (state.range(0)): 0 = each layer's forward()
// called directly (no Module::operator() at all: the floor), 1 = net(x) through Module::operator()
// with no hooks, 2 = the same with a no-op forward hook on every layer. 1 vs 0 is what a module
// without hooks pays for the hook machinery; 2 vs 1 is the cost of one hook.
void module_calls(benchmark::State& state, lucid::nn::Sequential& net, const Tensor& x) {
  const std::int64_t call = state.range(0);
  if (call == 2) {
    for (const auto& layer : net.children()) {
      layer->register_forward_hook([](lucid::nn::Module&, const Tensor&, const Tensor&) -> std::optional<Tensor> { return {}; });
    }
  }
  for (auto _ : state) {
    Tensor y = x;
    if (call == 0) {
      for (const auto& layer : net.children()) y = layer->forward(y);
    } else {
      y = net(x);
    }
    benchmark::DoNotOptimize(y.data<float>());
    benchmark::ClobberMemory();
  }
  state.counters["per_module"] =
      benchmark::Counter(kLayers, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void lucid_module_linear(benchmark::State& state) {
  lucid::set_num_threads(1);
  lucid::nn::Sequential net;
  for (int i = 0; i < kLayers; ++i) net.push_back(lucid::nn::Linear(16, 16));
  module_calls(state, net, lucid::full({1, 16}, 0.5, lucid::float32));
}

void lucid_module_tanh(benchmark::State& state) {
  lucid::set_num_threads(1);
  lucid::nn::Sequential net;
  for (int i = 0; i < kLayers; ++i) net.push_back(lucid::nn::Tanh());
  module_calls(state, net, lucid::full({16}, 0.5, lucid::float32, /*requires_grad=*/true));
}

}  // namespace

BENCHMARK(lucid_forward_nograd)->ArgName("numel")->Arg(1)->Arg(64);
BENCHMARK(lucid_forward)->ArgName("numel")->Arg(1)->Arg(64);
BENCHMARK(lucid_forward_backward)->ArgName("numel")->Arg(1)->Arg(64);
BENCHMARK(lucid_module_linear)->ArgName("call")->Arg(0)->Arg(1)->Arg(2);
BENCHMARK(lucid_module_tanh)->ArgName("call")->Arg(0)->Arg(1)->Arg(2);

BENCHMARK_MAIN();
