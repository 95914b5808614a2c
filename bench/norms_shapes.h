// The normalisation benchmark's cases (layer, input shape), shared by the lucid and the LibTorch halves
// of bench/norms so that both measure exactly the same inputs. One thread, as issue 19 asks.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <iterator>
#include <vector>

namespace norms_bench {

enum class Layer { layer_norm, rms_norm, batch_norm_2d, instance_norm_2d };

// LayerNorm and RMSNorm normalise the last dimension of (rows, cols); BatchNorm2d and InstanceNorm2d
// take (N, C, H, W).
struct Case {
  Layer layer;
  std::int64_t dims[4];
  std::vector<std::int64_t> shape() const {
    if (layer == Layer::layer_norm || layer == Layer::rms_norm) return {dims[0], dims[1]};
    return {dims[0], dims[1], dims[2], dims[3]};
  }
  std::int64_t cols() const { return dims[1]; }  // LayerNorm's and RMSNorm's normalized size, else C
};

// ViT-S/16 tokens (64 images of 197 tokens, width 384) and a BERT-base batch (4096 tokens, 768);
// RMSNorm on the latter; BatchNorm2d after a ResNet's first stage (32, 64, 56, 56) and third (128,
// 256, 14, 14); InstanceNorm2d in a style-transfer network (8, 64, 64, 64). bench/norms.sh labels its
// table in this order.
inline constexpr Case kCases[] = {
    {Layer::layer_norm, {64 * 197, 384}},       {Layer::layer_norm, {4096, 768}},
    {Layer::rms_norm, {4096, 768}},             {Layer::batch_norm_2d, {32, 64, 56, 56}},
    {Layer::batch_norm_2d, {128, 256, 14, 14}}, {Layer::instance_norm_2d, {8, 64, 64, 64}}};

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
