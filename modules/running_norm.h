// RunningNorm<Options>: what BatchNorm and InstanceNorm share (PyTorch's _NormBase): num_features, the
// per-channel affine parameters weight (ones) and bias (zeros) when options.affine, the buffers
// running_mean (zeros), running_var (ones) and int64 num_batches_tracked (0) when
// options.track_running_stats (PyTorch's state_dict names), the input-rank check and the repr
// "64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True" (", activation=SiLU" when set).
// Options has eps, momentum (double or std::optional<double>), affine, track_running_stats, activation,
// device and dtype.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "autodiff/grad_mode.h"
#include "framework/errors.h"
#include "framework/factories.h"
#include "modules/functional/format.h"
#include "modules/fused_activation.h"
#include "modules/module.h"

namespace lucid::nn {

template <class Options>
class RunningNorm : public Module {
 public:
  Tensor forward(const Tensor& input) override { return forward(input, options.activation); }
  // activation(forward(input)) in one kernel, whatever options.activation says: what a Sequential
  // runs for this module followed by an activation module (modules/epilogue_fusion.h).
  virtual Tensor forward(const Tensor& input, Activation activation) = 0;

  // running_mean ← 0, running_var ← 1, num_batches_tracked ← 0 (when track_running_stats).
  void reset_running_stats() {
    if (!options.track_running_stats) return;
    autograd::no_grad guard;
    running_mean.fill_(0.0);
    running_var.fill_(1.0);
    num_batches_tracked.fill_(0.0);
  }
  // reset_running_stats(), and weight ← 1, bias ← 0 (when affine).
  void reset_parameters() {
    reset_running_stats();
    if (!options.affine) return;
    autograd::no_grad guard;
    weight.fill_(1.0);
    bias.fill_(0.0);
  }
  std::string extra_repr() const override {
    return std::to_string(num_features_) + ", eps=" + functional::python_float(options.eps) +
           ", momentum=" + momentum_repr(options.momentum) + ", affine=" + (options.affine ? "True" : "False") +
           ", track_running_stats=" + (options.track_running_stats ? "True" : "False") +
           (options.activation == Activation::none ? "" : ", activation=" + std::string(activation_name(options.activation)));
  }

  std::int64_t num_features() const { return num_features_; }

  Options options;
  Parameter weight;            // (C,), ones; undefined when affine=false
  Parameter bias;              // (C,), zeros; undefined when affine=false
  Tensor running_mean;         // (C,), zeros; undefined when track_running_stats=false
  Tensor running_var;          // (C,), ones; undefined when track_running_stats=false
  Tensor num_batches_tracked;  // int64 scalar, 0; undefined when track_running_stats=false

 protected:
  // The input has min_rank up to max_rank dimensions; layer_name ("BatchNorm2d") prefixes the
  // configuration errors (ValueError for num_features ≤ 0, eps < 0), raised before anything is built.
  RunningNorm(const char* layer_name, std::int64_t num_features, const Options& opts, std::int64_t min_rank,
              std::int64_t max_rank)
      : options(opts), num_features_(num_features), min_rank_(min_rank), max_rank_(max_rank) {
    const std::string prefix = std::string(layer_name) + ": ";
    if (num_features <= 0) {
      throw ValueError(prefix + "num_features (" + std::to_string(num_features) + ") must be positive");
    }
    if (!(options.eps >= 0.0)) {  // also NaN
      throw ValueError(prefix + "eps (" + functional::python_float(options.eps) + ") must be non-negative");
    }
    const DType dtype = options.dtype.value_or(float32);
    const bool affine = options.affine, track = options.track_running_stats;
    weight = register_parameter("weight", affine ? ones({num_features}, dtype) : Tensor());
    bias = register_parameter("bias", affine ? zeros({num_features}, dtype) : Tensor());
    running_mean = register_buffer("running_mean", track ? zeros({num_features}, dtype) : Tensor());
    running_var = register_buffer("running_var", track ? ones({num_features}, dtype) : Tensor());
    num_batches_tracked = register_buffer("num_batches_tracked", track ? zeros({}, int64) : Tensor());
  }

  // ValueError "BatchNorm2d: expected 4D input (got 3D input)" (PyTorch's text) unless the input has
  // min_rank to max_rank dimensions.
  void check_input_rank(const Tensor& input) const {
    if (!input.defined()) throw_undefined_input();
    if (input.dim() >= min_rank_ && input.dim() <= max_rank_) return;
    const std::string expected = min_rank_ == max_rank_ ? std::to_string(min_rank_) + "D"
                                                        : std::to_string(min_rank_) + "D or " + std::to_string(max_rank_) + "D";
    throw ValueError(name() + ": expected " + expected + " input (got " + std::to_string(input.dim()) + "D input)");
  }
  // ValueError naming the shape unless input.size(dim) is num_features.
  void check_channels(const Tensor& input, std::int64_t dim) const {
    if (input.size(dim) == num_features_) return;
    throw ValueError(name() + ": expected input with " + std::to_string(num_features_) + " channels (dimension " +
                     std::to_string(dim) + "), got shape " + input.shape().str());
  }
  bool is_unbatched(const Tensor& input) const { return input.dim() == min_rank_; }

 private:
  static std::string momentum_repr(double momentum) { return functional::python_float(momentum); }
  static std::string momentum_repr(std::optional<double> momentum) {
    return momentum ? functional::python_float(*momentum) : "None";
  }

  std::int64_t num_features_, min_rank_, max_rank_;
};

}  // namespace lucid::nn
