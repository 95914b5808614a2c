#include "modules/embedding.h"

#include "autodiff/grad_mode.h"
#include "framework/factories.h"
#include "modules/functional/embedding.h"
#include "modules/init.h"

namespace lucid::nn {

Embedding::Embedding(std::int64_t num_embeddings, std::int64_t embedding_dim, const EmbeddingOptions& opts)
    : options(opts) {
  if (num_embeddings < 0 || embedding_dim < 0) {
    throw ValueError("Embedding: num_embeddings (" + std::to_string(num_embeddings) + ") and embedding_dim (" +
                     std::to_string(embedding_dim) + ") must be non-negative");
  }
  weight = register_parameter("weight", zeros({num_embeddings, embedding_dim}, opts.dtype.value_or(float32)));
  reset_parameters();
}

void Embedding::reset_parameters() {
  autograd::no_grad guard;
  init::normal_(weight);
}

Tensor Embedding::forward(const Tensor& indices) { return functional::embedding(indices, weight); }

std::string Embedding::extra_repr() const { return std::to_string(weight.size(0)) + ", " + std::to_string(weight.size(1)); }

}  // namespace lucid::nn
