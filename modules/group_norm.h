// GroupNorm: normalises each group of num_channels / num_groups contiguous channels of every sample
// over the group's channels and spatial positions, then applies a per-channel affine map:
//
//   y[n, c, ...] = (x[n, c, ...] − μ[n, g]) / √(σ²[n, g] + eps) · weight[c] + bias[c],   g = c / (C/G)
//
// with μ and σ² (biased) over the group. Input (N, C, *) with zero or more spatial dimensions,
// float32 or float64; output of the same shape. Reproduces GroupNorm of Lucid, the Python library whose
// reference documentation (kept outside this repository) specifies this module, and PyTorch's
// nn.GroupNorm, which computes the same. Invalid configurations raise lucid::ValueError at construction,
// with the messages of functional::group_norm's checks (modules/functional/group_norm.h).
//
//   lucid::nn::GroupNorm gn(8, 32);                                   // eps 1e-5, affine
//   lucid::nn::GroupNorm plain(8, 32, {.eps = 1e-3, .affine = false});
//   lucid::nn::GroupNorm gn_silu(8, 32, {.activation = lucid::nn::Activation::silu});   // silu fused in
//
// With an activation, the module computes activation(GroupNorm(x)) in GroupNorm's kernels
// (modules/fused_activation.h); a Sequential fuses GroupNorm followed by an activation module the same
// way on its own (modules/sequential.h).
//   lucid::Tensor y = gn(lucid::randn({4, 32, 64, 64}));
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "framework/device.h"
#include "framework/dtype.h"
#include "modules/fused_activation.h"
#include "modules/module.h"

namespace lucid::nn {

struct GroupNormOptions {
  double eps = 1e-5;
  bool affine = true;
  Activation activation = Activation::none;
  Device device = {};
  std::optional<DType> dtype = {};  // of weight and bias; float32 when unset
};

class GroupNorm : public Module {
 public:
  GroupNorm(std::int64_t num_groups, std::int64_t num_channels, double eps = 1e-5, bool affine = true,
            Device device = {}, std::optional<DType> dtype = {});
  GroupNorm(std::int64_t num_groups, std::int64_t num_channels, const GroupNormOptions& options);

  Tensor forward(const Tensor& input) override;
  // activation(forward(input)) in one kernel, whatever options.activation says: what a Sequential
  // runs for this module followed by an activation module (modules/epilogue_fusion.h).
  Tensor forward(const Tensor& input, Activation activation);
  // weight ← 1, bias ← 0 (when affine).
  void reset_parameters();
  // "8, 32, eps=1e-05, affine=True", then ", activation=SiLU" when there is one
  std::string extra_repr() const override;

  std::int64_t num_groups() const { return num_groups_; }
  std::int64_t num_channels() const { return num_channels_; }

  GroupNormOptions options;
  Parameter weight;  // (C,), ones; undefined when affine=false
  Parameter bias;    // (C,), zeros; undefined when affine=false

 private:
  std::int64_t num_groups_;
  std::int64_t num_channels_;
};

}  // namespace lucid::nn
