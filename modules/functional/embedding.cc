#include "modules/functional/embedding.h"

#include <string>
#include <vector>

#include "autodiff/ops.h"

namespace lucid::nn::functional {

Tensor embedding(const Tensor& indices, const Tensor& weight) {
  if (indices.dtype() != int64) {
    throw ValueError("embedding: indices must be int64, got " + std::string(dtype_name(indices.dtype())));
  }
  if (weight.dim() != 2) {
    throw ValueError("embedding: expected a weight of shape (num_embeddings, embedding_dim), got " + weight.shape().str());
  }
  std::vector<std::int64_t> shape(indices.shape().begin(), indices.shape().end());
  shape.push_back(weight.size(1));
  return index_select(weight, 0, indices.reshape({-1})).reshape(shape);
}

}  // namespace lucid::nn::functional
