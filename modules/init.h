// Parameter initialisers (in place, outside autograd, from the default generator).
#pragma once

#include <cstdint>

#include "framework/tensor.h"

namespace lucid::nn::init {

// Fills t with samples from U(low, high). ValueError unless low <= high, both finite.
void uniform_(Tensor& t, double low, double high);
// PyTorch's default for Linear/Conv weights and biases: U(−1/√fan_in, 1/√fan_in)
// (kaiming_uniform_ with a = √5 gives exactly this bound for weights).
void default_uniform_(Tensor& t, std::int64_t fan_in);

}  // namespace lucid::nn::init
