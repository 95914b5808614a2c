#include "examples/fashion_mnist/model.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace fashion_mnist {
namespace {

// The normalisation layer over `channels` feature maps of side `side`.
std::shared_ptr<lucid::nn::Module> make_norm(Norm norm, std::int64_t channels, std::int64_t side) {
  using namespace lucid::nn;
  switch (norm) {
    case Norm::batch: return std::make_shared<BatchNorm2d>(channels);
    case Norm::layer: return std::make_shared<LayerNorm>(std::vector<std::int64_t>{channels, side, side});
    case Norm::instance: return std::make_shared<InstanceNorm2d>(channels, InstanceNormOptions{.affine = true});
    case Norm::group: break;
  }
  return std::make_shared<GroupNorm>(8, channels);
}

}  // namespace

Norm parse_norm(std::string_view name) {
  if (name == "group") return Norm::group;
  if (name == "batch") return Norm::batch;
  if (name == "layer") return Norm::layer;
  if (name == "instance") return Norm::instance;
  throw lucid::ValueError("unknown normalisation '" + std::string(name) + "': expected group, batch, layer or instance");
}

std::shared_ptr<lucid::nn::Sequential> make_model(Norm norm) {
  using namespace lucid::nn;
  auto model = std::make_shared<Sequential>();
  for (const std::shared_ptr<Module>& layer : std::initializer_list<std::shared_ptr<Module>>{
           std::make_shared<Conv2d>(1, 32, Size2{3, 3}, Conv2dOptions{.padding = {1, 1}}), make_norm(norm, 32, 28),
           std::make_shared<SiLU>(), std::make_shared<MaxPool2d>(2),
           std::make_shared<Conv2d>(32, 64, Size2{3, 3}, Conv2dOptions{.padding = {1, 1}}), make_norm(norm, 64, 14),
           std::make_shared<SiLU>(), std::make_shared<MaxPool2d>(2),
           std::make_shared<Flatten>(), std::make_shared<Linear>(3136, 10)}) {
    model->push_back(layer);  // as Sequential(...): GroupNorm → SiLU → MaxPool2d(2) fuse into one op
  }
  return model;
}

}  // namespace fashion_mnist
