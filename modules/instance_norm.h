// InstanceNorm1d, InstanceNorm2d, InstanceNorm3d: normalise each channel of each sample over its spatial
// positions, then apply a per-channel affine map (when affine), PyTorch's nn.InstanceNorm1d/2d/3d:
//
//   y[n, c, ...] = (x[n, c, ...] − μ_nc) / √(σ²_nc + eps) · weight[c] + bias[c]
//
// μ_nc, σ²_nc (biased) are the sample's in training mode and whenever running statistics are not
// tracked; with track_running_stats the buffers follow the batch's average statistics in training mode
// (num_batches_tracked stays 0, as in PyTorch) and give μ, σ² in eval mode. GroupNorm with one channel
// per group: its kernels, statistics and activation epilogue (functional::instance_norm). Inputs
// (N, C, *) with 1, 2 or 3 spatial dimensions, or the same without the batch dimension.
//
//   lucid::nn::InstanceNorm2d in(64);                                // eps 1e-5, no affine, no running stats
//   lucid::nn::InstanceNorm1d tracked(8, {.affine = true, .track_running_stats = true});
//   std::cout << in;   // InstanceNorm2d(64, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)
#pragma once

#include <cstdint>
#include <optional>

#include "framework/device.h"
#include "framework/dtype.h"
#include "modules/fused_activation.h"
#include "modules/running_norm.h"

namespace lucid::nn {

struct InstanceNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = false;
  bool track_running_stats = false;
  Activation activation = Activation::none;
  Device device = {};
  std::optional<DType> dtype = {};  // of weight, bias and the running statistics; float32 when unset
};

// PyTorch's _InstanceNorm: the 1d, 2d and 3d layers differ only in the input ranks they take.
class InstanceNorm : public RunningNorm<InstanceNormOptions> {
 public:
  using RunningNorm::forward;
  // A channel count other than num_features raises when affine or track_running_stats (PyTorch raises
  // or fails on the buffers' shape) and is accepted otherwise (PyTorch warns).
  Tensor forward(const Tensor& input, Activation activation) override;

 protected:
  using RunningNorm::RunningNorm;
};

class InstanceNorm1d final : public InstanceNorm {
 public:
  explicit InstanceNorm1d(std::int64_t num_features, const InstanceNormOptions& opts = {})
      : InstanceNorm("InstanceNorm1d", num_features, opts, 2, 3) {}
};

class InstanceNorm2d final : public InstanceNorm {
 public:
  explicit InstanceNorm2d(std::int64_t num_features, const InstanceNormOptions& opts = {})
      : InstanceNorm("InstanceNorm2d", num_features, opts, 3, 4) {}
};

class InstanceNorm3d final : public InstanceNorm {
 public:
  explicit InstanceNorm3d(std::int64_t num_features, const InstanceNormOptions& opts = {})
      : InstanceNorm("InstanceNorm3d", num_features, opts, 4, 5) {}
};

}  // namespace lucid::nn
