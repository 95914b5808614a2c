// Random generators: the process-wide default behind randn/rand/randint/randperm, Dropout and the
// initialisers (manual_seed), and explicit lucid::Generator objects that any of them accepts.
//
// Every Generator is safe to share between threads: it holds a lock, and each factory call draws all
// its numbers under one hold of it (Generator::Draws), so one call's numbers are a consecutive run of
// the stream. A seed therefore gives the same numbers whatever the OpenMP thread count (draws happen
// on the calling thread, in element order). When several std::threads draw from one generator, each
// call gets a whole run, but which run depends on the order the threads reach the lock: for numbers
// that do not depend on scheduling, give each thread its own Generator (docs/THREADS.md).
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace lucid {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : engine_(seed) {}
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Restarts the stream (under the lock).
  void seed(std::uint64_t seed);

  // A run of draws under one hold of the generator's lock (released when the Draws ends): no other
  // thread's draw falls between two of its numbers.
  class Draws {
   public:
    // Uniform in [0, 1) with 53 random bits.
    double uniform();
    // Standard normal, Box–Muller (two values per pair of uniforms; the second is kept for the next call).
    double normal();
    std::uint64_t next_u64() { return generator_.engine_(); }

   private:
    friend class Generator;
    explicit Draws(Generator& generator) : lock_(generator.mutex_), generator_(generator) {}
    std::unique_lock<std::mutex> lock_;
    Generator& generator_;
  };
  Draws draws() { return Draws(*this); }

  // Single draws, each under its own hold of the lock.
  double uniform() { return draws().uniform(); }
  double normal() { return draws().normal(); }
  std::uint64_t next_u64() { return draws().next_u64(); }

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

// The process-wide generator used when no Generator is passed.
Generator& default_generator();
void manual_seed(std::uint64_t seed);

// The generator a call draws from: `generator` when given, else the default one.
inline Generator& generator_or_default(Generator* generator) {
  return generator ? *generator : default_generator();
}

}  // namespace lucid
