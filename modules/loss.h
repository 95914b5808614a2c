// Loss modules over modules/functional/loss.h. Call as loss(input, target).
#pragma once

#include "modules/functional/loss.h"
#include "modules/module.h"

namespace lucid::nn {

using functional::Reduction;

class CrossEntropyLoss : public Module {
 public:
  explicit CrossEntropyLoss(double label_smoothing = 0.0, Reduction reduction = Reduction::kMean)
      : label_smoothing_(label_smoothing), reduction_(reduction) {}
  Tensor forward(const Tensor& logits, const Tensor& targets) {
    return functional::cross_entropy(logits, targets, label_smoothing_, reduction_);
  }
  Tensor operator()(const Tensor& logits, const Tensor& targets) { return forward(logits, targets); }

 private:
  double label_smoothing_;
  Reduction reduction_;
};

class NLLLoss : public Module {
 public:
  explicit NLLLoss(Reduction reduction = Reduction::kMean) : reduction_(reduction) {}
  Tensor forward(const Tensor& log_probs, const Tensor& targets) {
    return functional::nll_loss(log_probs, targets, reduction_);
  }
  Tensor operator()(const Tensor& log_probs, const Tensor& targets) { return forward(log_probs, targets); }

 private:
  Reduction reduction_;
};

class MSELoss : public Module {
 public:
  explicit MSELoss(Reduction reduction = Reduction::kMean) : reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) { return functional::mse_loss(input, target, reduction_); }
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }

 private:
  Reduction reduction_;
};

}  // namespace lucid::nn
