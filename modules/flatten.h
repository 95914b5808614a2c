// Flatten: merges dimensions start_dim … end_dim (default: all but the batch dimension).
#pragma once

#include <cstdint>

#include "modules/module.h"

namespace lucid::nn {

class Flatten : public Module {
 public:
  explicit Flatten(std::int64_t start_dim = 1, std::int64_t end_dim = -1) : start_dim_(start_dim), end_dim_(end_dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "start_dim=1, end_dim=-1"

 private:
  std::int64_t start_dim_, end_dim_;
};

}  // namespace lucid::nn
