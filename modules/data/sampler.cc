#include "modules/data/sampler.h"

#include <cstddef>
#include <random>
#include <utility>

namespace lucid::data {
namespace {

// Uniform integer in [0, bound] without modulo bias: rejects draws from the incomplete last block.
std::uint64_t uniform_at_most(std::mt19937_64& rng, std::uint64_t bound) {
  if (bound == UINT64_MAX) return rng();
  const std::uint64_t range = bound + 1;
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  std::uint64_t draw;
  do {
    draw = rng();
  } while (draw >= limit);
  return draw % range;
}

}  // namespace

std::vector<std::int64_t> random_permutation(std::int64_t n, std::uint64_t seed, std::uint64_t epoch) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = i;
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(epoch), static_cast<std::uint32_t>(epoch >> 32)};
  std::mt19937_64 rng(seq);
  for (std::size_t i = out.size(); i > 1; --i) {
    std::swap(out[i - 1], out[uniform_at_most(rng, i - 1)]);
  }
  return out;
}

}  // namespace lucid::data
