// Upsample: functional::interpolate as a module (no parameters), PyTorch's nn.Upsample.
//
//   lucid::nn::Upsample up({.scale_factor = 2});                    // nearest, doubles H and W
//   lucid::nn::Upsample to_28({.size = {28, 28}, .mode = lucid::nn::UpsampleMode::nearest});
#pragma once

#include "modules/functional/interpolate.h"
#include "modules/module.h"

namespace lucid::nn {

class Upsample : public Module {
 public:
  explicit Upsample(const UpsampleOptions& options);  // ValueError unless exactly one of size and scale_factor
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "scale_factor=2.0, mode='nearest'", as PyTorch

  UpsampleOptions options;
};

}  // namespace lucid::nn
