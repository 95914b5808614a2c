// Embedding: a learned table of num_embeddings vectors of embedding_dim, looked up by int64 indices
// (functional::embedding); weight starts at N(0, 1), as PyTorch.
//
//   lucid::nn::Embedding classes(10, 64);
//   lucid::Tensor e = classes(labels);  // labels (B,) int64 → (B, 64)
#pragma once

#include <cstdint>
#include <optional>

#include "framework/device.h"
#include "framework/dtype.h"
#include "modules/module.h"

namespace lucid::nn {

struct EmbeddingOptions {
  Device device = {};
  std::optional<DType> dtype = {};  // of weight; float32 when unset
};

class Embedding : public Module {
 public:
  Embedding(std::int64_t num_embeddings, std::int64_t embedding_dim, const EmbeddingOptions& options = {});
  Tensor forward(const Tensor& indices) override;
  void reset_parameters();
  std::string extra_repr() const override;  // "10, 64", as PyTorch

  Parameter weight;
  EmbeddingOptions options;
};

}  // namespace lucid::nn
