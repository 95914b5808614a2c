// out[e] = Σ_chunk partials[chunk·elements + e] for e in [0, elements), the chunks added in order: a
// convolution's dW from its per-chunk partial sums, the same result for any thread count. out may be
// partials itself (chunk 0's block).
#pragma once

#include <cstddef>

namespace lucid::kernels::detail {

template <typename T>
void sum_chunk_partials(const T* partials, std::size_t chunks, std::size_t elements, T* out) {
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t e = 0; e < static_cast<std::ptrdiff_t>(elements); ++e) {
    const auto i = static_cast<std::size_t>(e);
    T total = partials[i];
    for (std::size_t chunk = 1; chunk < chunks; ++chunk) total += partials[chunk * elements + i];
    out[i] = total;
  }
}

}  // namespace lucid::kernels::detail
