// Dataset: samples held in memory as two tensors whose first dimension indexes the sample.
#pragma once

#include <cstdint>

#include "framework/tensor.h"

namespace lucid::data {

struct Dataset {
  Tensor images;   // (N, ...): the inputs
  Tensor targets;  // (N,) int64 class ids (what cross_entropy takes), or (N, ...) of any dtype

  // The number of samples N.
  std::int64_t size() const { return images.size(0); }
};

}  // namespace lucid::data
