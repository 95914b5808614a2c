// A lookup table: row i of weight for each index i, as PyTorch's F.embedding.
#pragma once

#include "framework/tensor.h"

namespace lucid::nn::functional {

// indices (any shape, int64), weight (num_embeddings, dim) → indices.shape + (dim,). The gradient of
// weight's row i is the sum of the output gradients of the positions holding i (index_select's
// backward). ValueError for non-int64 indices, a weight that is not 2-D or an index outside
// [0, num_embeddings), naming it.
Tensor embedding(const Tensor& indices, const Tensor& weight);

}  // namespace lucid::nn::functional
