// LayerNorm: normalises every sample over its trailing dimensions normalized_shape, then applies a
// per-element affine map, PyTorch's nn.LayerNorm:
//
//   y[..., j] = (x[..., j] − μ) / √(σ² + eps) · weight[j] + bias[j]
//
// with μ and σ² (biased) over the normalized_shape.numel() values of each sample (j runs over them).
// Input (*, normalized_shape), float32 or float64; output of the same shape. Statistics, kernels and
// activation epilogue are GroupNorm's (modules/group_norm.h), per row. Invalid configurations raise
// lucid::ValueError at construction, with the messages of functional::layer_norm's checks.
//
//   lucid::nn::LayerNorm ln({768});                                  // eps 1e-5, weight and bias
//   lucid::nn::LayerNorm plain({4, 5}, {.eps = 1e-6, .elementwise_affine = false});
//   lucid::nn::LayerNorm ln_gelu({768}, {.activation = lucid::nn::Activation::gelu});   // gelu fused in
//   std::cout << ln;   // LayerNorm((768,), eps=1e-05, elementwise_affine=True)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "framework/device.h"
#include "framework/dtype.h"
#include "modules/fused_activation.h"
#include "modules/module.h"

namespace lucid::nn {

struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;
  Activation activation = Activation::none;
  Device device = {};
  std::optional<DType> dtype = {};  // of weight and bias; float32 when unset
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(std::vector<std::int64_t> normalized_shape, const LayerNormOptions& options = {});

  Tensor forward(const Tensor& input) override;
  // activation(forward(input)) in one kernel, whatever options.activation says: what a Sequential
  // runs for this module followed by an activation module (modules/epilogue_fusion.h).
  Tensor forward(const Tensor& input, Activation activation);
  // weight ← 1, bias ← 0 (when elementwise_affine).
  void reset_parameters();
  // "(768,), eps=1e-05, elementwise_affine=True", then ", activation=GELU" when there is one
  std::string extra_repr() const override;

  const std::vector<std::int64_t>& normalized_shape() const { return normalized_shape_; }

  LayerNormOptions options;
  Parameter weight;  // normalized_shape, ones; undefined when elementwise_affine=false
  Parameter bias;    // normalized_shape, zeros; undefined when elementwise_affine=false

 private:
  std::vector<std::int64_t> normalized_shape_;
};

}  // namespace lucid::nn
