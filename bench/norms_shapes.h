// The normalisation benchmark's cases (layer, rows, cols), shared by the lucid and the LibTorch halves
// of bench/norms so that both measure exactly the same inputs. One thread, as issue 19 asks.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <iterator>

namespace norms_bench {

enum class Layer { layer_norm, rms_norm };

struct Case {
  Layer layer;
  std::int64_t rows, cols;
};

// ViT-S/16 tokens (64 images of 197 tokens, width 384) and a BERT-base batch (4096 tokens, 768);
// RMSNorm on the latter. bench/norms.sh labels its table in this order.
inline constexpr Case kCases[] = {
    {Layer::layer_norm, 64 * 197, 384}, {Layer::layer_norm, 4096, 768}, {Layer::rms_norm, 4096, 768}};

// RMSNorm's eps in both halves: torch.finfo(float32).eps, PyTorch 2.4's default.
inline constexpr double kRmsEps = 1.1920928955078125e-07;

inline void AllCases(benchmark::internal::Benchmark* b) {
  b->ArgNames({"case"});
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(std::size(kCases)); ++k) b->Args({k});
  b->Unit(benchmark::kMicrosecond);
  b->UseRealTime();
}

inline const Case& CaseOf(const benchmark::State& state) { return kCases[state.range(0)]; }

}  // namespace norms_bench
