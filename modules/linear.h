// Linear: y = x·Wᵀ + b over the last dimension. W (out, in) and b (out,) start at U(±1/√in), as
// in PyTorch.
#pragma once

#include <cstdint>
#include <optional>

#include "framework/device.h"
#include "framework/dtype.h"

#include "modules/module.h"

namespace lucid::nn {

struct LinearOptions {
  bool bias = true;
  Device device = {};
  std::optional<DType> dtype = {};  // of weight and bias; float32 when unset
};

//   lucid::nn::Linear fc(3136, 10);                                    // bias, float32
//   lucid::nn::Linear head(64, 3, {.bias = false, .dtype = lucid::float64});
class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, const LinearOptions& options = {});
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  std::string extra_repr() const override;  // "in_features=3, out_features=4, bias=True"

  Parameter weight;
  Parameter bias;  // undefined when bias=false
  LinearOptions options;

 private:
  std::int64_t in_features_, out_features_;
};

}  // namespace lucid::nn
