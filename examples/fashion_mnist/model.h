// The Fashion-MNIST classifier of the training example:
//   Conv(1→32, 3×3, pad 1) → Norm(32 channels, 28×28) → SiLU → MaxPool 2
//   → Conv(32→64, 3×3, pad 1) → Norm(64 channels, 14×14) → SiLU → MaxPool 2 → Flatten → Linear(3136 → 10)
// with Norm one of the normalisation layers (--norm): GroupNorm(8, C) (the default), BatchNorm2d(C),
// LayerNorm((C, H, W)) (statistics and affine over each sample's whole feature map, PyTorch's
// LayerNorm of a CNN) or InstanceNorm2d(C, affine=True) (affine so that it has a scale and shift per
// channel as the others do). Parameter and buffer names match PyTorch's nn.Sequential of the same
// layers ("0.weight", "1.running_mean", ...), so a checkpoint loads into that PyTorch model as it is
// (examples/fashion_mnist/torch_model.py, check_in_pytorch.py).
#pragma once

#include <memory>
#include <string_view>

#include "lucid.h"

namespace fashion_mnist {

enum class Norm { group, batch, layer, instance };

// "group", "batch", "layer" or "instance"; lucid::ValueError naming anything else.
Norm parse_norm(std::string_view name);

std::shared_ptr<lucid::nn::Sequential> make_model(Norm norm = Norm::group);

}  // namespace fashion_mnist
