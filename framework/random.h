// The global random generator behind randn/rand and the initialisers. Draws happen on the calling
// thread in a fixed order, so a seed gives the same numbers whatever the thread count.
#pragma once

#include <cstdint>
#include <random>

namespace lucid {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : engine_(seed) {}
  void seed(std::uint64_t seed) { engine_.seed(seed); has_spare_normal_ = false; }
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Standard normal, Box–Muller (two values per pair of uniforms).
  double normal();
  std::uint64_t next_u64() { return engine_(); }

 private:
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

// The process-wide generator used by the factories.
Generator& default_generator();
void manual_seed(std::uint64_t seed);

}  // namespace lucid
