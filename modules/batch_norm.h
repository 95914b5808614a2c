// BatchNorm1d, BatchNorm2d: normalise each channel over the batch and the spatial positions, then apply
// a per-channel affine map, PyTorch's nn.BatchNorm1d/2d:
//
//   y[n, c, ...] = (x[n, c, ...] − μ_c) / √(σ²_c + eps) · weight[c] + bias[c]
//
// In training mode (and always without running statistics) μ_c, σ²_c (biased) are the batch's, and the
// buffers follow running ← (1 − momentum)·running + momentum·batch (unbiased σ²); momentum unset is the
// cumulative average (momentum = 1/num_batches_tracked). In eval mode μ_c, σ²_c are running_mean and
// running_var. Kernels, statistics and activation epilogue are GroupNorm's (functional::batch_norm).
// BatchNorm1d takes (N, C) or (N, C, L), BatchNorm2d (N, C, H, W); float32 or float64.
//
//   lucid::nn::BatchNorm2d bn(64);                                   // eps 1e-5, momentum 0.1, affine
//   lucid::nn::BatchNorm1d cumulative(16, {.momentum = std::nullopt, .affine = false});
//   lucid::nn::BatchNorm2d bn_relu(64, {.activation = lucid::nn::Activation::relu});   // relu fused in
//   std::cout << bn;   // BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
#pragma once

#include <cstdint>
#include <optional>

#include "framework/device.h"
#include "framework/dtype.h"
#include "modules/fused_activation.h"
#include "modules/running_norm.h"

namespace lucid::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  std::optional<double> momentum = 0.1;  // unset: cumulative average
  bool affine = true;
  bool track_running_stats = true;
  Activation activation = Activation::none;
  Device device = {};
  std::optional<DType> dtype = {};  // of weight, bias and the running statistics; float32 when unset
};

// PyTorch's _BatchNorm: BatchNorm1d and BatchNorm2d differ only in the input ranks they take.
class BatchNorm : public RunningNorm<BatchNormOptions> {
 public:
  using RunningNorm::forward;
  // In training mode with running statistics, num_batches_tracked and the buffers move only once the
  // input passed every check.
  Tensor forward(const Tensor& input, Activation activation) override;

 protected:
  using RunningNorm::RunningNorm;
};

class BatchNorm1d final : public BatchNorm {
 public:
  explicit BatchNorm1d(std::int64_t num_features, const BatchNormOptions& opts = {})
      : BatchNorm("BatchNorm1d", num_features, opts, 2, 3) {}
};

class BatchNorm2d final : public BatchNorm {
 public:
  explicit BatchNorm2d(std::int64_t num_features, const BatchNormOptions& opts = {})
      : BatchNorm("BatchNorm2d", num_features, opts, 4, 4) {}
};

}  // namespace lucid::nn
