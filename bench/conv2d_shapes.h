// The convolution benchmark's cases, shared by the lucid and the LibTorch halves of bench/conv2d so
// that both measure exactly the same inputs: the layers of the Fashion-MNIST classifier (batch 128)
// and of the diffusion UNet (batch 64: 3×3 at 28×28, 14×14 and 7×7, a stride-2 downsampling, 1×1
// skips), a depthwise 3×3 and a batch-of-one 3×3. float32, one thread.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

namespace conv2d_bench {

struct Case {
  std::int64_t batch, in_channels, out_channels, size, kernel, stride, padding, groups;
  std::vector<std::int64_t> input_shape() const { return {batch, in_channels, size, size}; }
  std::vector<std::int64_t> weight_shape() const { return {out_channels, in_channels / groups, kernel, kernel}; }
  std::int64_t output_size() const { return (size + 2 * padding - kernel) / stride + 1; }
  // Multiply-adds ×2 of the forward product: N·C_out·H_out·W_out·(C_in/groups)·k².
  double forward_flops() const {
    return 2.0 * static_cast<double>(batch * out_channels * output_size() * output_size() * (in_channels / groups) *
                                     kernel * kernel);
  }
};

inline constexpr Case kCases[] = {
    {128, 1, 32, 28, 3, 1, 1, 1},  // Fashion-MNIST conv 1
    {128, 32, 64, 14, 3, 1, 1, 1},  // Fashion-MNIST conv 2
    {64, 32, 32, 28, 3, 1, 1, 1},   // UNet level 1 ResBlock
    {64, 64, 64, 14, 3, 1, 1, 1},   // UNet level 2 ResBlock
    {64, 128, 128, 7, 3, 1, 1, 1},  // UNet bottleneck
    {64, 32, 64, 28, 3, 2, 1, 1},   // UNet downsampling, stride 2
    {64, 32, 64, 28, 1, 1, 0, 1},   // UNet 1×1 skip (channels change)
    {64, 128, 64, 14, 1, 1, 0, 1},  // UNet 1×1 skip on the way up
    {32, 64, 64, 28, 3, 1, 1, 64},  // depthwise 3×3
    {1, 64, 64, 32, 3, 1, 1, 1},    // one sample
};

inline std::string Label(const Case& k) {
  return "N" + std::to_string(k.batch) + " " + std::to_string(k.in_channels) + "->" + std::to_string(k.out_channels) +
         " " + std::to_string(k.size) + "x" + std::to_string(k.size) + " k" + std::to_string(k.kernel) + " s" +
         std::to_string(k.stride) + (k.groups > 1 ? " g" + std::to_string(k.groups) : "");
}

// Registers every case, with the forward product's FLOPs (×3 for forward+backward: dx and dW cost one
// forward product each) as a rate counter, so the JSON output has GFLOP/s beside each time.
inline void AllCases(benchmark::internal::Benchmark* b) {
  b->ArgNames({"case"});
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(std::size(kCases)); ++k) b->Args({k});
  b->Unit(benchmark::kMicrosecond);
  b->UseRealTime();
}

inline const Case& CaseOf(const benchmark::State& state) { return kCases[state.range(0)]; }

// flops per iteration as a rate: Google Benchmark divides by the iteration's real time.
inline void ReportFlops(benchmark::State& state, double flops_per_iteration) {
  state.counters["flops"] = benchmark::Counter(flops_per_iteration * static_cast<double>(state.iterations()),
                                               benchmark::Counter::kIsRate);
  state.SetLabel(Label(CaseOf(state)));
}

}  // namespace conv2d_bench
