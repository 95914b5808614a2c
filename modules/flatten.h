// Flatten: merges dimensions start_dim … end_dim (default: all but the batch dimension).
//
//   lucid::nn::Flatten flat;                                  // FlattenOptions{start_dim = 1, end_dim = -1}
//   lucid::nn::Flatten all({.start_dim = 0});
#pragma once

#include <cstdint>

#include "modules/module.h"

namespace lucid::nn {

struct FlattenOptions {
  std::int64_t start_dim = 1;
  std::int64_t end_dim = -1;
};

class Flatten : public Module {
 public:
  explicit Flatten(const FlattenOptions& opts = {}) : options(opts) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "start_dim=1, end_dim=-1"

  FlattenOptions options;
};

}  // namespace lucid::nn
