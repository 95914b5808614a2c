#include "modules/init.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "framework/number_format.h"

namespace lucid::nn::init {
namespace {

// Writes values (float64, t's shape) into t outside the graph, as torch.nn.init does.
void write_values(Tensor& t, const Tensor& values) {
  autograd::no_grad guard;
  t.copy_(values);
}

bool has_zero_sized_dimension(const Tensor& t) {
  for (std::int64_t d = 0; d < t.dim(); ++d) {
    if (t.size(d) == 0) return true;
  }
  return false;
}

// fan_in or fan_out of t by mode (torch.nn.init._calculate_correct_fan).
std::int64_t fan_for_mode(const Tensor& t, const std::string& mode, const char* caller) {
  if (mode != "fan_in" && mode != "fan_out") {
    throw ValueError(std::string(caller) + ": mode '" + mode + "' not supported, please use one of fan_in, fan_out");
  }
  const Fans fans = calculate_fan_in_and_fan_out(t);
  return mode == "fan_in" ? fans.fan_in : fans.fan_out;
}

// std = gain / √fan, gain = calculate_gain(nonlinearity, a): He et al.'s standard deviation.
double kaiming_std(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity,
                   const char* caller) {
  const std::int64_t fan = fan_for_mode(t, mode, caller);
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
}

// std = gain·√(2 / (fan_in + fan_out)): Glorot and Bengio's standard deviation.
double xavier_std(const Tensor& t, double gain) {
  const Fans fans = calculate_fan_in_and_fan_out(t);
  return gain * std::sqrt(2.0 / static_cast<double>(fans.fan_in + fans.fan_out));
}

// Φ(x) = (1 + erf(x/√2)) / 2, the standard normal CDF.
double normal_cdf(double x) { return (1.0 + std::erf(x / std::numbers::sqrt2)) / 2.0; }

// erfinv(y) on [−1, 1]: Giles' single-precision approximation (2010), then two Newton steps on
// erf(x) − y, whose derivative is (2/√π)·e^(−x²).
double erfinv(double y) {
  if (y <= -1.0) return -std::numeric_limits<double>::infinity();
  if (y >= 1.0) return std::numeric_limits<double>::infinity();
  double w = -std::log((1.0 - y) * (1.0 + y)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                     -0.00417768164, 0.246640727, 1.50140941}) {
      p = c + p * w;
    }
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                     1.00167406, 2.83297682}) {
      p = c + p * w;
    }
  }
  double x = p * y;
  for (int step = 0; step < 2; ++step) {
    x -= (std::erf(x) - y) / (2.0 / std::sqrt(std::numbers::pi) * std::exp(-x * x));
  }
  return x;
}

// Orthonormalises the columns of the row-major (m, n) matrix a (m ≥ n) in place: modified Gram–Schmidt,
// each column projected off the ones before it twice ("twice is enough"), then divided by its norm,
// which is R's (positive) diagonal entry.
void orthonormalize_columns(std::vector<double>& a, std::int64_t m, std::int64_t n) {
  auto at = [&](std::int64_t row, std::int64_t col) -> double& { return a[row * n + col]; };
  for (std::int64_t j = 0; j < n; ++j) {
    for (int pass = 0; pass < 2; ++pass) {
      for (std::int64_t k = 0; k < j; ++k) {
        double dot = 0.0;  // qₖ·aⱼ
        for (std::int64_t i = 0; i < m; ++i) dot += at(i, k) * at(i, j);
        for (std::int64_t i = 0; i < m; ++i) at(i, j) -= dot * at(i, k);  // aⱼ ← aⱼ − (qₖ·aⱼ)·qₖ
      }
    }
    double norm = 0.0;
    for (std::int64_t i = 0; i < m; ++i) norm += at(i, j) * at(i, j);
    norm = std::sqrt(norm);
    for (std::int64_t i = 0; i < m; ++i) at(i, j) /= norm;
  }
}

}  // namespace

Fans calculate_fan_in_and_fan_out(const Tensor& t) {
  if (t.dim() < 2) {
    throw ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions, got shape " +
                     t.shape().str());
  }
  std::int64_t receptive_field = 1;  // k₁·k₂·… of a convolution weight, 1 for a matrix
  for (std::int64_t d = 2; d < t.dim(); ++d) receptive_field *= t.size(d);
  return {t.size(1) * receptive_field, t.size(0) * receptive_field};
}

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  constexpr const char* kGainOne[] = {"linear",           "conv1d",           "conv2d",          "conv3d",
                                      "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"};
  for (const char* name : kGainOne) {
    if (nonlinearity == name) return 1.0;
  }
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4.0;
  throw ValueError("calculate_gain: unsupported nonlinearity '" + nonlinearity +
                   "' (expected linear, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, "
                   "conv_transpose3d, sigmoid, tanh, relu, leaky_relu or selu)");
}

void uniform_(Tensor& t, double low, double high, Generator* generator) {
  if (!(low <= high) || !std::isfinite(high - low)) {  // also NaN bounds
    throw ValueError("uniform_: need finite bounds with low <= high, got low " + format_number(low) + " and high " +
                     format_number(high));
  }
  write_values(t, rand(t.shape(), float64, false, generator) * (high - low) + low);
}

void normal_(Tensor& t, double mean, double std, Generator* generator) {
  if (!std::isfinite(mean) || !(std >= 0.0) || !std::isfinite(std)) {
    throw ValueError("normal_: need a finite mean and a finite std >= 0, got mean " + format_number(mean) +
                     " and std " + format_number(std));
  }
  write_values(t, randn(t.shape(), float64, false, generator) * std + mean);
}

void constant_(Tensor& t, double value) {
  autograd::no_grad guard;
  t.fill_(value);
}

void zeros_(Tensor& t) { constant_(t, 0.0); }

void ones_(Tensor& t) { constant_(t, 1.0); }

void kaiming_uniform_(Tensor& t, double a, const std::string& mode, const std::string& nonlinearity,
                      Generator* generator) {
  if (has_zero_sized_dimension(t)) return;
  const double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nonlinearity, "kaiming_uniform_");
  uniform_(t, -bound, bound, generator);
}

void kaiming_normal_(Tensor& t, double a, const std::string& mode, const std::string& nonlinearity,
                     Generator* generator) {
  if (has_zero_sized_dimension(t)) return;
  normal_(t, 0.0, kaiming_std(t, a, mode, nonlinearity, "kaiming_normal_"), generator);
}

void xavier_uniform_(Tensor& t, double gain, Generator* generator) {
  const double bound = std::sqrt(3.0) * xavier_std(t, gain);
  uniform_(t, -bound, bound, generator);
}

void xavier_normal_(Tensor& t, double gain, Generator* generator) {
  normal_(t, 0.0, xavier_std(t, gain), generator);
}

void trunc_normal_(Tensor& t, double mean, double std, double a, double b, Generator* generator) {
  if (!std::isfinite(mean) || !(std > 0.0) || !std::isfinite(std) || !(a < b)) {
    throw ValueError("trunc_normal_: need a finite mean, a finite std > 0 and a < b, got mean " +
                     format_number(mean) + ", std " + format_number(std) + ", a " + format_number(a) + " and b " +
                     format_number(b));
  }
  const double low = 2.0 * normal_cdf((a - mean) / std) - 1.0;
  const double high = 2.0 * normal_cdf((b - mean) / std) - 1.0;
  Tensor values = rand(t.shape(), float64, false, generator);
  double* v = values.data<double>();
  for (std::int64_t i = 0; i < values.numel(); ++i) {
    // x = mean + std·√2·erfinv(u), u uniform on [low, high), clamped to [a, b]
    const double x = mean + std * std::numbers::sqrt2 * erfinv(low + (high - low) * v[i]);
    v[i] = std::fmin(std::fmax(x, a), b);
  }
  write_values(t, values);
}

void orthogonal_(Tensor& t, double gain, Generator* generator) {
  if (t.dim() < 2) {
    throw ValueError("orthogonal_: only tensors with 2 or more dimensions are supported, got shape " +
                     t.shape().str());
  }
  if (t.numel() == 0) return;
  const std::int64_t rows = t.size(0), cols = t.numel() / rows;
  const bool transposed = rows < cols;  // orthonormalise the longer side's columns
  const std::int64_t m = transposed ? cols : rows, n = transposed ? rows : cols;
  std::vector<double> q = randn({m, n}, float64, false, generator).to_vector<double>();
  orthonormalize_columns(q, m, n);
  std::vector<double> out(static_cast<std::size_t>(rows * cols));
  for (std::int64_t i = 0; i < rows; ++i) {
    for (std::int64_t j = 0; j < cols; ++j) out[i * cols + j] = gain * (transposed ? q[j * n + i] : q[i * n + j]);
  }
  write_values(t, tensor(out, t.shape()));
}

void default_uniform_(Tensor& t, std::int64_t fan_in, Generator* generator) {
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  uniform_(t, -bound, bound, generator);
}

}  // namespace lucid::nn::init
