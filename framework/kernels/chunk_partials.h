// out[e] = Σ_chunk partials[chunk·elements + e] for e in [0, elements), the chunks added in order, in
// out's type: a convolution's dW from its per-chunk partial sums, LayerNorm's dγ and dβ from its row
// blocks' (float partials, float64 sums); the same result for any thread count. out may be partials
// itself (chunk 0's block). Work items are tiles of elements, each summed chunk after chunk, so every
// chunk's row is read contiguously instead of one element per chunk at a stride of `elements`.
#pragma once

#include <algorithm>
#include <cstddef>

#include "framework/kernels/parallel_for.h"

namespace lucid::kernels::detail {

template <typename T, typename Out>
void sum_chunk_partials(const T* partials, std::size_t chunks, std::size_t elements, Out* out) {
  if (chunks == 0) {  // an empty sum (LayerNorm over zero rows)
    std::fill_n(out, elements, Out(0));
    return;
  }
  constexpr std::size_t kTile = 1024;
  const auto tiles = static_cast<std::ptrdiff_t>((elements + kTile - 1) / kTile);
  parallel_for(tiles, [&](std::ptrdiff_t tile) {
    const std::size_t begin = static_cast<std::size_t>(tile) * kTile, end = std::min(elements, begin + kTile);
    for (std::size_t i = begin; i < end; ++i) out[i] = static_cast<Out>(partials[i]);
    for (std::size_t chunk = 1; chunk < chunks; ++chunk) {
      const T* row = partials + chunk * elements;
      for (std::size_t i = begin; i < end; ++i) out[i] += static_cast<Out>(row[i]);
    }
  });
}

}  // namespace lucid::kernels::detail
