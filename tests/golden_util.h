// Reads the golden-value files under tests/golden/ (written by the PyTorch scripts there, see
// tests/golden/golden.py for the format). The C++ tests compare against them without PyTorch.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "lucid.h"

namespace lucid::test::golden {

// One case of a golden file: named attributes (layer settings) and float64 tensors.
struct Case {
  std::string name;
  nlohmann::json attrs;
  std::map<std::string, Tensor> tensors;

  bool has(const std::string& key) const { return tensors.count(key) != 0; }
  // The stored tensor `key` converted to dtype; a failed lookup fails the test loudly.
  Tensor tensor(const std::string& key, DType dtype = float64) const {
    const auto it = tensors.find(key);
    if (it == tensors.end()) throw std::out_of_range("golden case " + name + " has no tensor " + key);
    return it->second.to(dtype);
  }
};

// A loss case's attrs["reduction"] ("mean", "sum" or "none", PyTorch's names).
inline nn::functional::Reduction reduction_attr(const Case& c) {
  const std::string r = c.attrs.at("reduction").get<std::string>();
  if (r == "mean") return nn::functional::Reduction::kMean;
  if (r == "sum") return nn::functional::Reduction::kSum;
  if (r == "none") return nn::functional::Reduction::kNone;
  throw std::invalid_argument("golden case " + c.name + ": unknown reduction " + r);
}

// A case's attrs[key] as an (h, w) pair, e.g. a kernel size or stride.
inline nn::Size2 pair_attr(const Case& c, const char* key) {
  const auto pair = c.attrs.at(key).get<std::array<std::int64_t, 2>>();
  return {pair[0], pair[1]};
}

// A stored number: a JSON number, or "nan", "inf", "-inf" (JSON has no literals for them; golden.py).
inline double number(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  const std::string s = v.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  throw std::invalid_argument("golden file: \"" + s + "\" is not a number");
}

// All cases of tests/golden/<file>.
inline std::vector<Case> load(const std::string& file) {
  const std::string path = std::string(LUCID_GOLDEN_DIR) + "/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open golden file " + path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<Case> cases;
  for (const auto& c : doc.at("cases")) {
    Case out{c.at("name").get<std::string>(), c.at("attrs"), {}};
    for (const auto& [key, entry] : c.at("tensors").items()) {
      const auto dims = entry.at("shape").get<std::vector<std::int64_t>>();
      const Shape shape(dims.begin(), dims.end());
      std::vector<double> data;
      for (const auto& v : entry.at("data")) data.push_back(number(v));
      out.tensors.emplace(key, lucid::tensor(data, shape));
    }
    cases.push_back(std::move(out));
  }
  return cases;
}

// Element-wise |got − want| ≤ atol + rtol·|want|, reporting the worst element. Where want is NaN, got
// must be NaN; where it is ±inf, got must be the same infinity.
inline ::testing::AssertionResult all_close(const Tensor& got, const Tensor& want, double rtol, double atol) {
  if (got.shape() != want.shape()) {
    return ::testing::AssertionFailure() << "shape " << got.shape() << " != expected " << want.shape();
  }
  const std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  std::size_t worst = 0;
  double worst_excess = 0;  // how far the worst element lies outside its tolerance
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]))) continue;  // also equal infinities
    double excess = std::abs(g[i] - w[i]) - (atol + rtol * std::abs(w[i]));
    if (std::isnan(excess) || !std::isfinite(w[i])) excess = INFINITY;
    if (excess > worst_excess) {
      worst = i;
      worst_excess = excess;
    }
  }
  if (worst_excess == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "element " << worst << ": got " << g[worst] << ", expected " << w[worst]
                                       << " (rtol " << rtol << ", atol " << atol << ")";
}

// got ≈ want within rtol·|want| + rtol·max|want|: the absolute part scaled to the tensor's largest
// magnitude, because elements near zero (a sum whose terms cancel) carry the rounding error of the
// larger terms they were computed from, not an error relative to themselves. The largest magnitude is
// over want's finite elements (non-finite ones must match as in all_close); the absolute part is at
// least min_atol.
inline ::testing::AssertionResult close_scaled(const Tensor& got, const Tensor& want, double rtol,
                                               double min_atol = 0) {
  double scale = 0;
  for (double v : want.to_vector<double>()) {
    if (std::isfinite(v)) scale = std::max(scale, std::abs(v));
  }
  return all_close(got, want, rtol, std::max(rtol * scale, min_atol));
}

// The parity tests run each golden case in float64 and in float32, with close_scaled tolerances for
// outputs and for gradients (each test file explains why they suffice for its ops).
struct Precision {
  DType dtype;
  double output_rtol;
  double grad_rtol;
  const char* suffix;  // of the test name
};

inline void PrintTo(const Precision& p, std::ostream* os) { *os << p.suffix; }

inline constexpr Precision kFloat64{float64, 1e-10, 1e-10, "f64"};
inline constexpr Precision kFloat32{float32, 1e-5, 1e-4, "f32"};

// A parity test's parameter: the index of a golden case and the precision it runs in.
using ParityParam = std::tuple<std::size_t, Precision>;

// 0, 1, ..., cases.size() - 1: the parameters of a test run once per golden case.
inline std::vector<std::size_t> case_indices(const std::vector<Case>& cases) {
  std::vector<std::size_t> indices(cases.size());
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  return indices;
}

// Every (case, precision) pair of `cases` in both precisions, named "<case>_f64" / "<case>_f32" by
// ParityName. `cases` must outlive the test run (a function-local static).
inline auto parity_params(const std::vector<Case>& cases) {
  return ::testing::Combine(::testing::ValuesIn(case_indices(cases)), ::testing::Values(kFloat64, kFloat32));
}

struct ParityName {
  const std::vector<Case>& cases;
  std::string operator()(const ::testing::TestParamInfo<ParityParam>& param_info) const {
    return cases[std::get<0>(param_info.param)].name + "_" + std::get<1>(param_info.param).suffix;
  }
};

}  // namespace lucid::test::golden
