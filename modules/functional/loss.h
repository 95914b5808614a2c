// Loss functions. Class targets are int64 tensors of shape (N,) holding class ids, as in PyTorch; a
// float target of shape (N,) raises ValueError (convert it with .to(lucid::int64)).
#pragma once

#include "framework/tensor.h"

namespace lucid::nn::functional {

enum class Reduction { kMean, kSum, kNone };

// log softmax over dimension 1 of (N, C): x − max − log Σ exp(x − max), stable for any logits.
Tensor log_softmax(const Tensor& logits);

// −Σ_c q_c·log softmax(x)_c per row, with q = (1 − ε)·onehot(target) + ε/C (label smoothing ε) for
// int64 class ids, or q = (1 − ε)·p + ε/C for float class probabilities p of the logits' shape (N, C)
// (PyTorch ≥ 1.10; differentiable in p).
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, double label_smoothing = 0.0,
                     Reduction reduction = Reduction::kMean);
// −log_probs[i, target_i] per row.
Tensor nll_loss(const Tensor& log_probs, const Tensor& targets, Reduction reduction = Reduction::kMean);
// (input − target)² elementwise, same shapes.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::kMean);

}  // namespace lucid::nn::functional
