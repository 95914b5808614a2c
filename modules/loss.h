// Loss modules over modules/functional/loss.h. Call as loss(input, target).
//
//   lucid::nn::CrossEntropyLoss ce({.label_smoothing = 0.1});   // CrossEntropyLossOptions{reduction, label_smoothing}
//   lucid::nn::MSELoss mse({.reduction = lucid::nn::Reduction::kSum});
#pragma once

#include "modules/functional/loss.h"
#include "modules/module.h"

namespace lucid::nn {

using functional::Reduction;

struct CrossEntropyLossOptions {
  Reduction reduction = Reduction::kMean;
  double label_smoothing = 0.0;  // checked when called, as in PyTorch
};

class CrossEntropyLoss : public Module {
 public:
  explicit CrossEntropyLoss(const CrossEntropyLossOptions& opts = {}) : options(opts) {}
  // targets: int64 class ids (N,), or float class probabilities of the logits' shape.
  Tensor forward(const Tensor& logits, const Tensor& targets) {
    return functional::cross_entropy(logits, targets, options.label_smoothing, options.reduction);
  }
  Tensor operator()(const Tensor& logits, const Tensor& targets) { return forward(logits, targets); }

  CrossEntropyLossOptions options;
};

struct NLLLossOptions {
  Reduction reduction = Reduction::kMean;
};

class NLLLoss : public Module {
 public:
  explicit NLLLoss(const NLLLossOptions& opts = {}) : options(opts) {}
  Tensor forward(const Tensor& log_probs, const Tensor& targets) {
    return functional::nll_loss(log_probs, targets, options.reduction);
  }
  Tensor operator()(const Tensor& log_probs, const Tensor& targets) { return forward(log_probs, targets); }

  NLLLossOptions options;
};

struct MSELossOptions {
  Reduction reduction = Reduction::kMean;
};

class MSELoss : public Module {
 public:
  explicit MSELoss(const MSELossOptions& opts = {}) : options(opts) {}
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::mse_loss(input, target, options.reduction);
  }
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }

  MSELossOptions options;
};

}  // namespace lucid::nn
