// The Fashion-MNIST classifier of the training example:
//   Conv(1→32, 3×3, pad 1) → GroupNorm(8, 32) → SiLU → MaxPool 2
//   → Conv(32→64, 3×3, pad 1) → GroupNorm(8, 64) → SiLU → MaxPool 2 → Flatten → Linear(3136 → 10)
// Parameter names match PyTorch's nn.Sequential of the same layers ("0.weight", "1.weight", ...), so
// a checkpoint loads into that PyTorch model as it is (examples/fashion_mnist/check_in_pytorch.py).
#pragma once

#include <memory>

#include "lucid.h"

namespace fashion_mnist {

std::shared_ptr<lucid::nn::Sequential> make_model();

}  // namespace fashion_mnist
