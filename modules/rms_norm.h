// RMSNorm: scales every sample by the reciprocal root mean square of its trailing dimensions
// normalized_shape, then by a per-element weight, PyTorch 2.4's nn.RMSNorm:
//
//   y[..., j] = x[..., j] / √(mean(x²) + eps) · weight[j]
//
// with the mean over the normalized_shape.numel() values of each sample; eps unset is the machine
// epsilon of the input's dtype (torch.finfo(x.dtype).eps). Input (*, normalized_shape), float32 or
// float64. LayerNorm's kernels without the centering and the bias (modules/layer_norm.h), with the
// same activation epilogue; invalid configurations raise lucid::ValueError at construction.
//
//   lucid::nn::RMSNorm rms({768});                               // eps = machine epsilon, weight
//   lucid::nn::RMSNorm rms6({768}, {.eps = 1e-6, .elementwise_affine = false});
//   std::cout << rms;   // RMSNorm((768,), eps=None, elementwise_affine=True)
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

struct RMSNormOptions {
  std::optional<double> eps = {};  // machine epsilon of the input's dtype when unset
  bool elementwise_affine = true;
  Activation activation = Activation::none;
  Device device = {};
  std::optional<DType> dtype = {};  // of weight; float32 when unset
};

class RMSNorm : public Module {
 public:
  explicit RMSNorm(std::vector<std::int64_t> normalized_shape, const RMSNormOptions& options = {});

  Tensor forward(const Tensor& input) override;
  // activation(forward(input)) in one kernel, whatever options.activation says (Sequential's fusion).
  Tensor forward(const Tensor& input, Activation activation);
  // weight ← 1 (when elementwise_affine).
  void reset_parameters();
  // "(768,), eps=None, elementwise_affine=True", then ", activation=SiLU" when there is one
  std::string extra_repr() const override;

  const std::vector<std::int64_t>& normalized_shape() const { return normalized_shape_; }

  RMSNormOptions options;
  Parameter weight;  // normalized_shape, ones; undefined when elementwise_affine=false

 private:
  std::vector<std::int64_t> normalized_shape_;
};

}  // namespace lucid::nn
