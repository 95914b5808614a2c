// Parameter initialisers with torch.nn.init's names, formulas and checks (PyTorch 1.13). Each writes
// its tensor in place, outside autograd (allowed on a parameter that requires grad), drawing from
// `generator` (the last argument of each random one, as PyTorch's `generator=`) or, when it is null,
// the default generator (manual_seed); samples are drawn in float64 and rounded to the tensor's dtype.
//
//   lucid::nn::init::kaiming_uniform_(linear.weight, /*a=*/std::sqrt(5.0));  // PyTorch's Linear default
//   lucid::nn::init::xavier_normal_(w, lucid::nn::init::calculate_gain("tanh"));
//   lucid::nn::init::orthogonal_(rnn_weight);
//
// Bad arguments raise ValueError naming the values and leave the tensor unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "framework/tensor.h"

namespace lucid {
class Generator;  // framework/random.h
}

namespace lucid::nn::init {

// The fans of a weight tensor: for shape (out, in, k₁, k₂, ...), with receptive field r = k₁·k₂·…,
// fan_in = in·r and fan_out = out·r (torch.nn.init._calculate_fan_in_and_fan_out). ValueError for a
// tensor with fewer than 2 dimensions.
struct Fans {
  std::int64_t fan_in;
  std::int64_t fan_out;
};
Fans calculate_fan_in_and_fan_out(const Tensor& t);

// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain):
//   linear, conv1d, conv2d, conv3d, conv_transpose1d/2d/3d, sigmoid → 1;  tanh → 5/3;  relu → √2;
//   leaky_relu → √(2 / (1 + slope²)), slope = param (0.01 when absent);  selu → 3/4.
// ValueError for any other name.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);

// Fills t with samples from U(low, high). ValueError unless low <= high, both finite.
void uniform_(Tensor& t, double low, double high, Generator* generator = nullptr);
// Fills t with samples from N(mean, std²). ValueError unless mean is finite and std is finite and >= 0.
void normal_(Tensor& t, double mean = 0.0, double std = 1.0, Generator* generator = nullptr);
// Fills t with `value` (any number, as torch.nn.init.constant_); zeros_ and ones_ with 0 and 1.
void constant_(Tensor& t, double value);
void zeros_(Tensor& t);
void ones_(Tensor& t);

// He initialisation: std = gain / √fan, gain = calculate_gain(nonlinearity, a), fan = fan_in or fan_out
// by mode ("fan_in" | "fan_out"). kaiming_uniform_ draws U(−√3·std, √3·std), kaiming_normal_ N(0, std²).
// A tensor with a zero-sized dimension is left as it is (PyTorch warns and returns). ValueError for an
// unknown mode or nonlinearity, or a tensor with fewer than 2 dimensions.
void kaiming_uniform_(Tensor& t, double a = 0.0, const std::string& mode = "fan_in",
                      const std::string& nonlinearity = "leaky_relu", Generator* generator = nullptr);
void kaiming_normal_(Tensor& t, double a = 0.0, const std::string& mode = "fan_in",
                     const std::string& nonlinearity = "leaky_relu", Generator* generator = nullptr);

// Glorot initialisation: std = gain·√(2 / (fan_in + fan_out)); xavier_uniform_ draws
// U(−√3·std, √3·std), xavier_normal_ N(0, std²). ValueError for a tensor with fewer than 2 dimensions.
void xavier_uniform_(Tensor& t, double gain = 1.0, Generator* generator = nullptr);
void xavier_normal_(Tensor& t, double gain = 1.0, Generator* generator = nullptr);

// N(mean, std²) truncated to [a, b], by PyTorch's inverse-CDF method: with Φ the standard normal CDF,
// u ~ U(2Φ((a − mean)/std) − 1, 2Φ((b − mean)/std) − 1), x = mean + std·√2·erfinv(u), clamped to [a, b].
// ValueError unless mean is finite, std is finite and > 0, and a < b (either may be infinite).
void trunc_normal_(Tensor& t, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0,
                   Generator* generator = nullptr);

// A (semi-)orthogonal matrix: t viewed as (rows, cols) = (size(0), numel / size(0)) becomes gain·Q, where
// Q comes from the QR decomposition of a standard normal (rows, cols) matrix (of its transpose when
// rows < cols) with R's diagonal made positive, PyTorch's sign fix; Q's rows (rows ≤ cols) or columns
// are orthonormal. QR here is modified Gram–Schmidt, run twice, in float64 (its R has a positive
// diagonal already). ValueError for a tensor with fewer than 2 dimensions.
void orthogonal_(Tensor& t, double gain = 1.0, Generator* generator = nullptr);

// PyTorch's default for Linear/Conv weights and biases: U(−1/√fan_in, 1/√fan_in)
// (kaiming_uniform_ with a = √5 gives exactly this bound for weights).
void default_uniform_(Tensor& t, std::int64_t fan_in, Generator* generator = nullptr);

}  // namespace lucid::nn::init
