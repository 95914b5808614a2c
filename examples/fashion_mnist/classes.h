// The ten Fashion-MNIST class names, indexed by class id (the order of the data set's labels).
#pragma once

#include <array>
#include <string_view>

namespace fashion_mnist {

inline constexpr std::array<std::string_view, 10> kClassNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

}  // namespace fashion_mnist
