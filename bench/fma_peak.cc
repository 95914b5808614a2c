// The core's float32 multiply-add peak as bench/conv2d's yardstick: 12 independent chains of
// acc = acc·a + b on the widest SIMD target Highway picks at run time (AVX-512 or AVX2), enough chains
// to keep every FMA pipe busy through the instruction's latency (2 pipes × 4 cycles = 8 in flight on
// the AMD and Intel cores of this class), and few enough that the accumulators and the two constants
// stay in AVX2's 16 vector registers (16 chains spilled there and measured half the peak).
// flops = 2 · lanes · chains per step.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/fma_peak.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <array>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace conv2d_bench::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

constexpr std::size_t kChains = 12;

// Runs `steps` steps of the chains; returns the flops done (the sum of the lanes keeps the work alive).
double FmaChains(std::int64_t steps, float* sink) {
  const hn::ScalableTag<float> d;
  const auto a = hn::Set(d, 0.999999F), b = hn::Set(d, 1e-7F);
  std::array<hn::Vec<decltype(d)>, kChains> acc;
  for (std::size_t c = 0; c < kChains; ++c) acc[c] = hn::Set(d, static_cast<float>(c));
  for (std::int64_t s = 0; s < steps; ++s) {
    for (std::size_t c = 0; c < kChains; ++c) acc[c] = hn::MulAdd(acc[c], a, b);
  }
  auto total = hn::Zero(d);
  for (std::size_t c = 0; c < kChains; ++c) total = hn::Add(total, acc[c]);
  *sink = hn::GetLane(hn::SumOfLanes(d, total));
  return 2.0 * static_cast<double>(hn::Lanes(d) * kChains) * static_cast<double>(steps);
}

}  // namespace conv2d_bench::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace conv2d_bench {
HWY_EXPORT(FmaChains);
double FmaPeakWork(std::int64_t steps, float* sink) { return HWY_DYNAMIC_DISPATCH(FmaChains)(steps, sink); }
}  // namespace conv2d_bench
#endif
