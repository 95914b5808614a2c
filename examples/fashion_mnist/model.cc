#include "examples/fashion_mnist/model.h"

namespace fashion_mnist {

std::shared_ptr<lucid::nn::Sequential> make_model() {
  using namespace lucid::nn;
  return std::make_shared<Sequential>(Conv2d(1, 32, {3, 3}, {.padding = {1, 1}}), GroupNorm(8, 32), SiLU(), MaxPool2d(2),
                                      Conv2d(32, 64, {3, 3}, {.padding = {1, 1}}), GroupNorm(8, 64), SiLU(), MaxPool2d(2),
                                      Flatten(), Linear(3136, 10));
}

}  // namespace fashion_mnist
