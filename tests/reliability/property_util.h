// Randomized property tests: many random cases per op, each compared with a float64 reference written
// in the test. A case's generator is seeded from the run's seed (LUCID_PROPERTY_SEED, default
// kDefaultSeed) and the case number only, so a failing case is reproduced by its printed number.
//
// Tolerances are relative to a per-element scale: the value the reference formula gives when every
// term is replaced by its absolute value (e.g. Σ|xᵢ| for a sum, |a| + |b| for a + b). That is the size
// of the rounding error a correct implementation can make, so cancellation does not fail a correct
// result and a wrong one is not hidden behind a large neighbour.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lucid.h"

namespace lucid::test::property {

using Rng = std::mt19937_64;
using Dims = std::vector<std::int64_t>;

inline constexpr std::uint64_t kDefaultSeed = 7;
inline constexpr int kMaxReportedFailures = 5;  // per test; the rest are counted

// Relative tolerances: outputs and gradients.
struct Tolerance {
  double value;
  double gradient;
};

inline Tolerance tolerance(DType dtype) { return dtype == float32 ? Tolerance{1e-5, 1e-4} : Tolerance{1e-10, 1e-10}; }

inline std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}
inline double uniform(Rng& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
inline double normal(Rng& rng) { return std::normal_distribution<double>()(rng); }

// One element of a non-empty list, uniformly.
template <typename T>
T choose(Rng& rng, const std::vector<T>& values) {
  return values[static_cast<std::size_t>(uniform_int(rng, 0, static_cast<std::int64_t>(values.size()) - 1))];
}

// A dimension size: mostly small, often one that leaves a SIMD tail (odd, or one past a multiple of 8/16).
inline std::int64_t dim_size(Rng& rng) { return choose<std::int64_t>(rng, {1, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 33}); }

// Random dimensions of rank in [min_rank, max_rank], with at most max_numel elements (large sizes are
// replaced by 1 until it fits).
inline Dims random_dims(Rng& rng, int min_rank, int max_rank, std::int64_t max_numel) {
  Dims dims(static_cast<std::size_t>(uniform_int(rng, min_rank, max_rank)));
  for (auto& d : dims) d = dim_size(rng);
  for (auto& d : dims) {
    std::int64_t numel = 1;
    for (const auto e : dims) numel *= e;
    if (numel <= max_numel) break;
    d = 1;
  }
  return dims;
}

inline std::int64_t numel(const Dims& dims) {
  std::int64_t n = 1;
  for (const auto d : dims) n *= d;
  return n;
}

inline std::string str(const Dims& dims) { return Shape(dims.begin(), dims.end()).str(); }
inline const char* name(DType dtype) { return dtype == float32 ? "float32" : "float64"; }

// A tensor of dtype holding values (rounded to float32 for float32); `values` is updated to what it holds,
// so references are computed from the tensor's exact inputs.
inline Tensor make_tensor(std::vector<double>& values, const Dims& dims, DType dtype, bool requires_grad) {
  const Shape shape(dims.begin(), dims.end());
  Tensor t = dtype == float32 ? tensor(std::vector<float>(values.begin(), values.end()), shape)
                              : tensor(values, shape);
  values = t.to_vector<double>();
  return t.requires_grad_(requires_grad);
}

// n values lo + (hi − lo)·u, u uniform in [0, 1).
inline std::vector<double> uniform_values(Rng& rng, std::int64_t n, double lo, double hi) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (auto& e : v) e = uniform(rng, lo, hi);
  return v;
}

// n values offset + scale·z, z standard normal.
inline std::vector<double> normal_values(Rng& rng, std::int64_t n, double offset = 0.0, double scale = 1.0) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (auto& e : v) e = offset + scale * normal(rng);
  return v;
}

// For each element of `to` (row-major), the index of the element of `from` that broadcasting reads
// (NumPy rules: trailing dimensions aligned, sizes 1 repeated).
inline std::vector<std::size_t> broadcast_map(const Dims& from, const Dims& to) {
  const std::size_t rank = to.size(), lead = rank - from.size();
  std::vector<std::int64_t> stride(rank, 0);  // of `from`, in `to`'s dimensions; 0 where broadcast
  std::int64_t s = 1;
  for (std::size_t i = from.size(); i-- > 0;) {
    stride[lead + i] = from[i] == 1 ? 0 : s;
    s *= from[i];
  }
  std::vector<std::size_t> out(static_cast<std::size_t>(numel(to)));
  std::vector<std::int64_t> index(rank, 0);
  for (std::size_t k = 0; k < out.size(); ++k) {
    std::int64_t at = 0;
    for (std::size_t d = 0; d < rank; ++d) at += index[d] * stride[d];
    out[k] = static_cast<std::size_t>(at);
    for (std::size_t d = rank; d-- > 0;) {  // next row-major index
      if (++index[d] < to[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

// Compares got with expected element by element: |got − expected| ≤ tol·scale (NaN expected: NaN got).
// Returns a description of the worst element and the count of bad ones, or "" when all pass.
inline std::string compare(const std::string& what, const Tensor& got, const Dims& dims,
                           const std::vector<double>& expected, const std::vector<double>& scale, double tol) {
  if (!got.defined()) return what + " is undefined";
  if (got.shape() != Shape(dims.begin(), dims.end())) {
    return what + " has shape " + got.shape().str() + ", expected " + str(dims);
  }
  const std::vector<double> values = got.to_vector<double>();
  std::size_t bad = 0, worst = 0;
  double worst_ratio = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    double ratio;
    if (std::isnan(expected[i])) {
      ratio = std::isnan(values[i]) ? 0.0 : INFINITY;
    } else {
      const double error = std::abs(values[i] - expected[i]);
      ratio = error == 0.0 ? 0.0 : std::isnan(error) ? INFINITY : error / (tol * scale[i]);
    }
    if (ratio <= 1.0) continue;
    ++bad;
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = i;
    }
  }
  if (bad == 0) return {};
  std::ostringstream os;
  os.precision(17);
  os << what << ": " << bad << " of " << values.size() << " elements off; worst, element " << worst << ": got "
     << values[worst] << ", expected " << expected[worst] << " (scale " << scale[worst] << ", tolerance "
     << tol * scale[worst] << ")";
  return os.str();
}

// Runs `count` cases of the test: body(rng) returns "" or the failed case with what failed. Reports the
// first kMaxReportedFailures failures with their case number and seed, and prints the count run.
template <typename Body>
void run_cases(const std::string& test, int count, Body&& body) {
  const char* env = std::getenv("LUCID_PROPERTY_SEED");
  const std::uint64_t seed = env && *env ? std::strtoull(env, nullptr, 10) : kDefaultSeed;
  int failures = 0;
  for (int i = 0; i < count; ++i) {
    std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                      static_cast<std::uint32_t>(i)};
    Rng rng(seq);
    const std::string failure = body(rng);
    if (failure.empty()) continue;
    if (++failures <= kMaxReportedFailures) {
      ADD_FAILURE() << test << ", case " << i << " (LUCID_PROPERTY_SEED=" << seed << "): " << failure;
    }
  }
  std::printf("[property] %s: %d random cases (seed %llu), %d failed\n", test.c_str(), count,
              static_cast<unsigned long long>(seed), failures);
}

// Joins the non-empty parts with "; ".
inline std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    out += (out.empty() ? "" : "; ") + p;
  }
  return out;
}

}  // namespace lucid::test::property
