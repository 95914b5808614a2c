#include "modules/flatten.h"

#include <vector>

namespace lucid::nn {

Tensor Flatten::forward(const Tensor& input) {
  const std::size_t first = input.shape().normalize_dim(options.start_dim), last = input.shape().normalize_dim(options.end_dim);
  if (first > last) {
    throw ValueError("Flatten: start_dim (" + std::to_string(options.start_dim) + ") comes after end_dim (" +
                     std::to_string(options.end_dim) + ") for shape " + input.shape().str());
  }
  std::vector<std::int64_t> shape;
  std::int64_t merged = 1;
  for (std::size_t d = 0; d < input.shape().size(); ++d) {
    if (d < first || d > last) {
      shape.push_back(input.shape().dims()[d]);
    } else {
      merged *= input.shape().dims()[d];
      if (d == last) shape.push_back(merged);
    }
  }
  return input.reshape(shape);
}

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(options.start_dim) + ", end_dim=" + std::to_string(options.end_dim);
}

}  // namespace lucid::nn
