// GroupNorm (functional::group_norm, the fused kernels) forward and backward on hundreds of random
// cases per dtype against a float64 two-pass reference: N = 0 and N = 1, G = 1 and G = C, 0-4 spatial
// dimensions (spatial size 1 among them) with sizes that leave SIMD tails, a zero-size spatial
// dimension, with and without the affine map, inputs offset from zero or scaled.
#include <gtest/gtest.h>

#include <cmath>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/reliability/property_util.h"

namespace lucid::test::property {
namespace {

struct GroupNormCase {
  Dims dims;  // (N, C, spatial...)
  std::int64_t groups;
  bool affine;
  double eps;
  double offset, scale;  // x = offset + scale·z
  DType dtype;

  std::string str() const {
    std::ostringstream os;
    os << "x " << property::str(dims) << " " << name(dtype) << ", groups " << groups << ", eps " << eps
       << ", affine " << (affine ? "true" : "false") << ", x = " << offset << " + " << scale << "·z";
    return os.str();
  }
};

GroupNormCase random_case(Rng& rng, DType dtype) {
  GroupNormCase c;
  c.groups = choose<std::int64_t>(rng, {1, 1, 2, 3, 4, 8});
  const std::int64_t per_group = choose<std::int64_t>(rng, {1, 1, 2, 3, 4, 5, 8});  // 1: G = C
  c.dims = {choose<std::int64_t>(rng, {0, 1, 1, 2, 3, 5}), c.groups * per_group};
  const Dims spatial = random_dims(rng, 0, 4, 1500);
  c.dims.insert(c.dims.end(), spatial.begin(), spatial.end());
  if (!spatial.empty() && uniform_int(rng, 0, 24) == 0) {  // a zero-size spatial dimension
    c.dims[static_cast<std::size_t>(uniform_int(rng, 2, static_cast<std::int64_t>(c.dims.size()) - 1))] = 0;
  }
  c.affine = uniform_int(rng, 0, 4) != 0;
  c.eps = choose<double>(rng, {1e-5, 1e-5, 1e-3, 0.5});
  c.offset = choose<double>(rng, {0.0, 0.0, 0.0, 2.0, -5.0});
  c.scale = choose<double>(rng, {1.0, 1.0, 0.1, 10.0});
  c.dtype = dtype;
  return c;
}

// Reference values and, per element, the scale its tolerance is relative to (property_util.h).
struct Reference {
  std::vector<double> y, y_scale, dx, dx_scale, dweight, dweight_scale, dbias, dbias_scale;
};

// Two-pass float64 reference. Per (n, group) over its M = (C/G)·S elements: μ = Σx/M,
// σ² = Σ(x − μ)²/M, rstd = 1/√(σ² + eps), x̂ = (x − μ)·rstd, y = γ_c·x̂ + β_c (γ = 1, β = 0 without the
// affine map). Backward for upstream g with d = g·γ_c: dx = rstd·(d − mean(d) − x̂·mean(d·x̂)),
// dγ_c = Σ g·x̂, dβ_c = Σ g. The scales bound |x̂| by X = (|x| + mean|x|)·rstd: the size of x plus that of
// the rounding any float32 mean carries (about u·Σ|x|/M), so x̂ near 0 is not held to a tighter absolute
// error than the statistics can have.
Reference reference(const GroupNormCase& c, const std::vector<double>& x, const std::vector<double>& weight,
                    const std::vector<double>& bias, const std::vector<double>& g) {
  const std::int64_t n_batch = c.dims[0], channels = c.dims[1], per_group = channels / c.groups;
  const std::int64_t spatial = numel(c.dims) / std::max<std::int64_t>(n_batch * channels, 1);
  const std::size_t total = x.size();
  const auto size_c = static_cast<std::size_t>(channels);
  Reference r{std::vector<double>(total), std::vector<double>(total), std::vector<double>(total),
              std::vector<double>(total), std::vector<double>(size_c), std::vector<double>(size_c),
              std::vector<double>(size_c), std::vector<double>(size_c)};
  const std::int64_t m = per_group * spatial;
  if (m == 0) return r;
  for (std::int64_t n = 0; n < n_batch; ++n) {
    for (std::int64_t group = 0; group < c.groups; ++group) {
      const auto base = static_cast<std::size_t>((n * channels + group * per_group) * spatial);
      double mean = 0.0, mean_abs = 0.0, var = 0.0;
      for (std::int64_t k = 0; k < m; ++k) {
        mean += x[base + static_cast<std::size_t>(k)];
        mean_abs += std::abs(x[base + static_cast<std::size_t>(k)]);
      }
      mean /= static_cast<double>(m);
      mean_abs /= static_cast<double>(m);
      for (std::int64_t k = 0; k < m; ++k) var += std::pow(x[base + static_cast<std::size_t>(k)] - mean, 2);
      var /= static_cast<double>(m);
      const double rstd = 1.0 / std::sqrt(var + c.eps);
      double sum_d = 0.0, sum_d_xhat = 0.0, abs_d = 0.0, abs_d_xhat = 0.0;
      for (std::int64_t k = 0; k < m; ++k) {
        const std::size_t i = base + static_cast<std::size_t>(k);
        const auto ch = static_cast<std::size_t>(group * per_group + k / spatial);
        const double gamma = c.affine ? weight[ch] : 1.0, beta = c.affine ? bias[ch] : 0.0;
        const double xhat = (x[i] - mean) * rstd, bound = (std::abs(x[i]) + mean_abs) * rstd;
        r.y[i] = gamma * xhat + beta;
        r.y_scale[i] = std::abs(gamma) * bound + std::abs(beta);
        const double d = g[i] * gamma;
        sum_d += d;
        sum_d_xhat += d * xhat;
        abs_d += std::abs(d);
        abs_d_xhat += std::abs(d) * bound;
        r.dweight[ch] += g[i] * xhat;
        r.dweight_scale[ch] += std::abs(g[i]) * bound;
        r.dbias[ch] += g[i];
        r.dbias_scale[ch] += std::abs(g[i]);
      }
      const double md = static_cast<double>(m);
      for (std::int64_t k = 0; k < m; ++k) {
        const std::size_t i = base + static_cast<std::size_t>(k);
        const auto ch = static_cast<std::size_t>(group * per_group + k / spatial);
        const double gamma = c.affine ? weight[ch] : 1.0;
        const double xhat = (x[i] - mean) * rstd, bound = (std::abs(x[i]) + mean_abs) * rstd;
        const double d = g[i] * gamma;
        r.dx[i] = rstd * (d - sum_d / md - xhat * sum_d_xhat / md);
        r.dx_scale[i] = rstd * (std::abs(d) + abs_d / md + bound * abs_d_xhat / md);
      }
    }
  }
  return r;
}

// One random case through group_norm and backward; "" when every output and gradient matches.
std::string run_case(Rng& rng, DType dtype) {
  const GroupNormCase c = random_case(rng, dtype);
  const Tolerance tol = tolerance(dtype);
  const Dims channel_dims{c.dims[1]};
  std::vector<double> xv = normal_values(rng, numel(c.dims), c.offset, c.scale);
  std::vector<double> wv = normal_values(rng, c.dims[1], 1.0, 0.5), bv = normal_values(rng, c.dims[1]);
  std::vector<double> gv = normal_values(rng, numel(c.dims));
  try {
    const Tensor x = make_tensor(xv, c.dims, dtype, true);
    const Tensor weight = c.affine ? make_tensor(wv, channel_dims, dtype, true) : Tensor();
    const Tensor bias = c.affine ? make_tensor(bv, channel_dims, dtype, true) : Tensor();
    const Tensor upstream = make_tensor(gv, c.dims, dtype, false);
    const Tensor y = nn::functional::group_norm(x, c.groups, weight, bias, c.eps);
    y.backward(upstream);
    const Reference r = reference(c, xv, wv, bv, gv);
    const std::string failure =
        join({compare("y", y, c.dims, r.y, r.y_scale, tol.value),
              compare("dx", x.grad(), c.dims, r.dx, r.dx_scale, tol.gradient),
              c.affine ? compare("dweight", weight.grad(), channel_dims, r.dweight, r.dweight_scale, tol.gradient) : "",
              c.affine ? compare("dbias", bias.grad(), channel_dims, r.dbias, r.dbias_scale, tol.gradient) : ""});
    return failure.empty() ? failure : c.str() + ": " + failure;
  } catch (const std::exception& e) {
    return c.str() + ": threw " + e.what();
  }
}

TEST(GroupNormProperty, Float32MatchesFloat64Reference) {
  run_cases("GroupNorm float32", 400, [](Rng& rng) { return run_case(rng, float32); });
}

TEST(GroupNormProperty, Float64MatchesFloat64Reference) {
  run_cases("GroupNorm float64", 400, [](Rng& rng) { return run_case(rng, float64); });
}

}  // namespace
}  // namespace lucid::test::property
