// sum and mean over random dimension subsets (given in any order, some negative; the empty list meaning
// all dimensions), with and without keepdim, on random shapes of 0-4 dimensions (SIMD-tail sizes,
// zero-size dimensions), forward and backward, float32 and float64, against float64 references.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/reliability/property_util.h"

namespace lucid::test::property {
namespace {

std::string reduction_case(Rng& rng, bool mean, DType dtype) {
  Dims dims = random_dims(rng, 0, 4, 6000);
  if (!dims.empty() && uniform_int(rng, 0, 29) == 0) {
    dims[static_cast<std::size_t>(uniform_int(rng, 0, static_cast<std::int64_t>(dims.size()) - 1))] = 0;
  }
  const auto rank = static_cast<std::int64_t>(dims.size());
  std::vector<bool> reduced(dims.size(), false);
  std::vector<std::int64_t> arg;  // the dims argument: a shuffled subset, some written negative
  for (std::int64_t d = 0; d < rank; ++d) {
    if (uniform_int(rng, 0, 1) == 0) continue;
    reduced[static_cast<std::size_t>(d)] = true;
    arg.push_back(uniform_int(rng, 0, 1) ? d : d - rank);
  }
  std::shuffle(arg.begin(), arg.end(), rng);
  if (arg.empty()) reduced.assign(dims.size(), true);  // dims {} reduces everything
  const bool keepdim = uniform_int(rng, 0, 1) == 1;

  // The result's dimensions, and for each input element the result element it adds to.
  Dims out_dims, kept_dims(dims);  // kept_dims: keepdim's shape (1 where reduced)
  std::int64_t count = 1;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (reduced[d]) {
      kept_dims[d] = 1;
      count *= dims[d];
    }
    if (!reduced[d] || keepdim) out_dims.push_back(kept_dims[d]);
  }
  const std::vector<std::size_t> target = broadcast_map(kept_dims, dims);

  std::string what = std::string(mean ? "mean" : "sum") + " " + name(dtype) + ", x " + str(dims) + ", dims {";
  for (std::size_t i = 0; i < arg.size(); ++i) what += (i ? ", " : "") + std::to_string(arg[i]);
  what += std::string("}, keepdim ") + (keepdim ? "true" : "false");

  std::vector<double> xv = normal_values(rng, numel(dims), 0.5, 2.0);
  std::vector<double> gv = normal_values(rng, numel(out_dims));
  try {
    const Tensor x = make_tensor(xv, dims, dtype, true);
    const Tensor y = mean ? x.mean(arg, keepdim) : x.sum(arg, keepdim);
    y.backward(make_tensor(gv, out_dims, dtype, false));

    // Reference: y = Σ x (÷ count for mean; 0/0 = NaN when nothing is reduced over), dx = g (÷ count).
    const double divisor = mean ? static_cast<double>(count) : 1.0;
    std::vector<double> y_ref(gv.size()), y_scale(gv.size()), dx(xv.size()), dx_scale(xv.size());
    for (std::size_t i = 0; i < xv.size(); ++i) {
      y_ref[target[i]] += xv[i];
      y_scale[target[i]] += std::abs(xv[i]);
    }
    for (std::size_t k = 0; k < y_ref.size(); ++k) {
      y_ref[k] /= divisor;
      y_scale[k] /= divisor;
    }
    for (std::size_t i = 0; i < xv.size(); ++i) {
      dx[i] = gv[target[i]] / divisor;
      dx_scale[i] = std::abs(dx[i]);
    }
    const Tolerance tol = tolerance(dtype);
    const std::string failure = join({compare("y", y, out_dims, y_ref, y_scale, tol.value),
                                      compare("dx", x.grad(), dims, dx, dx_scale, tol.gradient)});
    return failure.empty() ? failure : what + ": " + failure;
  } catch (const std::exception& e) {
    return what + ": threw " + e.what();
  }
}

TEST(ReductionProperty, SumMatchesFloat64Reference) {
  for (const DType dtype : {float32, float64}) {
    run_cases(std::string("sum ") + name(dtype), 250, [&](Rng& rng) { return reduction_case(rng, false, dtype); });
  }
}

TEST(ReductionProperty, MeanMatchesFloat64Reference) {
  for (const DType dtype : {float32, float64}) {
    run_cases(std::string("mean ") + name(dtype), 250, [&](Rng& rng) { return reduction_case(rng, true, dtype); });
  }
}

}  // namespace
}  // namespace lucid::test::property
