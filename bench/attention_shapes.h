// The attention shapes of bench/attention (lucid and LibTorch halves): (B·H, T, d) query and key
// batches, scores (B·H, T, T) = q·kᵀ, softmax over the scores' last dimension. B·H = 32; T 64–256;
// d 32 and 64.
#pragma once

#include <array>
#include <cstdint>

namespace attention_bench {

struct Shape {
  std::int64_t batch, tokens, head_dim;
};

inline constexpr std::array<Shape, 6> kShapes{{{32, 64, 32}, {32, 64, 64}, {32, 128, 32},
                                               {32, 128, 64}, {32, 256, 32}, {32, 256, 64}}};

}  // namespace attention_bench
