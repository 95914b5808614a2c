// Linear: y = x·Wᵀ + b over the last dimension. W (out, in) and b (out,) start at U(±1/√in), as
// in PyTorch.
#pragma once

#include <cstdint>

#include "modules/module.h"

namespace lucid::nn {

class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, bool bias = true, DType dtype = float32);
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  std::string extra_repr() const override;  // "in_features=3, out_features=4, bias=True"

  Parameter weight;
  Parameter bias;  // undefined when bias=false

 private:
  std::int64_t in_features_, out_features_;
};

}  // namespace lucid::nn
