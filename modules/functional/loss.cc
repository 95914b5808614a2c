// Losses composed from differentiable ops (log softmax is lucid::log_softmax over dimension 1), so every
// one of them is differentiable to any order.
#include "modules/functional/loss.h"

#include <cmath>
#include <limits>
#include <string>

#include "autodiff/ops.h"
#include "autodiff/ops/checks.h"
#include "framework/factories.h"
#include "framework/kernels/layout.h"
#include "framework/number_format.h"

namespace lucid::nn::functional {
namespace {

void check_logits(const char* op, const Tensor& logits) {
  if (logits.dim() != 2) {
    throw ValueError(std::string(op) + ": expected input of shape (N, C), got " + logits.shape().str());
  }
}

// ValueError unless targets are int64 class ids of shape (N,), each in [0, classes). `takes_probabilities`:
// op also accepts float class probabilities of the input's shape (cross_entropy), which the message says.
void check_class_targets(const char* op, const Tensor& targets, std::int64_t n, std::int64_t classes,
                         bool takes_probabilities) {
  if (is_floating_point(targets.dtype()) && targets.shape() == Shape{n}) {
    throw ValueError(std::string(op) + ": class-index targets must be int64, got " +
                     std::string(dtype_name(targets.dtype())) + " targets of shape " + targets.shape().str() +
                     "; convert them with .to(lucid::int64)" +
                     (takes_probabilities ? " (float targets are class probabilities of the input's shape)" : ""));
  }
  if (targets.dtype() != int64 || targets.shape() != Shape{n}) {
    throw ValueError(std::string(op) + ": targets of shape " + targets.shape().str() + " and dtype " +
                     std::string(dtype_name(targets.dtype())) + " do not match a batch of " + std::to_string(n) +
                     " (expected int64 class ids of shape (" + std::to_string(n) + ",))");
  }
  const Tensor dense_targets = kernels::dense(targets);
  const std::int64_t* ids = dense_targets.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    if (ids[i] < 0 || ids[i] >= classes) {
      throw ValueError(std::string(op) + ": target " + std::to_string(ids[i]) + " at index " + std::to_string(i) +
                       " is not a class id in [0, " + std::to_string(classes) + ")");
    }
  }
}

// q[i, c] = on where c == target_i, off elsewhere (targets checked by check_class_targets).
Tensor one_hot_weights(const Tensor& targets, std::int64_t classes, double on, double off, DType dtype) {
  const std::int64_t n = targets.numel();
  Tensor q = full({n, classes}, off, dtype);
  const Tensor dense_targets = kernels::dense(targets);
  const std::int64_t* ids = dense_targets.data<std::int64_t>();
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = q.data<T>();
    for (std::int64_t i = 0; i < n; ++i) p[i * classes + ids[i]] = static_cast<T>(on);
  });
  return q;
}

// cross_entropy's target distribution with label smoothing ε: (1 − ε)·onehot(target) + ε/C for int64
// class ids, (1 − ε)·p + ε/C for class probabilities p of the logits' shape (differentiable in p).
Tensor target_distribution(const Tensor& targets, const Tensor& logits, double label_smoothing) {
  const std::int64_t n = logits.size(0), classes = logits.size(1);
  const double off = label_smoothing / static_cast<double>(classes);
  if (is_floating_point(targets.dtype()) && targets.shape() == logits.shape()) {
    ops_detail::check_same_dtype("cross_entropy", logits, targets);
    return label_smoothing == 0.0 ? targets : targets * (1.0 - label_smoothing) + off;
  }
  check_class_targets("cross_entropy", targets, n, classes, /*takes_probabilities=*/true);
  return one_hot_weights(targets, classes, 1.0 - label_smoothing + off, off, logits.dtype());
}

// Σ_c q[i, c]·log p[i, c] per row, where a masked class (logit −inf, so log p = −inf) that carries no
// weight (q = 0) adds nothing instead of 0·(−inf) = NaN: PyTorch's value for class ids (it picks the
// target's log p); for class probabilities PyTorch 1.13 gives NaN there, lucid keeps the mask-friendly
// finite value. Every other term is q·log p, so the gradient in q is log p wherever log p is finite,
// also where q = 0 (at a masked class with q = 0 it is 0; PyTorch: −inf).
Tensor weighted_log_likelihood(const Tensor& q, const Tensor& log_probs) {
  const Tensor zero = zeros({}, q.dtype());
  // 1 or 2 (> ½ for where) where q > 0 or log p > −inf, else 0.
  const Tensor weighted_or_finite = gt(q, 0.0) + gt(log_probs, -std::numeric_limits<double>::infinity());
  return (q * where(weighted_or_finite, log_probs, zero)).sum({1});
}

Tensor reduce(const Tensor& per_element, Reduction reduction) {
  switch (reduction) {
    case Reduction::kMean: return per_element.mean();
    case Reduction::kSum: return per_element.sum();
    case Reduction::kNone: return per_element;
  }
  return per_element;
}

}  // namespace

Tensor log_softmax(const Tensor& logits) {
  check_logits("log_softmax", logits);
  return lucid::log_softmax(logits, 1);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, double label_smoothing, Reduction reduction) {
  check_logits("cross_entropy", logits);
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0)) {
    throw ValueError("cross_entropy: label_smoothing (" + format_number(label_smoothing) + ") must be in [0, 1]");
  }
  const Tensor q = target_distribution(targets, logits, label_smoothing);
  return reduce(-weighted_log_likelihood(q, log_softmax(logits)), reduction);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& targets, Reduction reduction) {
  check_logits("nll_loss", log_probs);
  check_class_targets("nll_loss", targets, log_probs.size(0), log_probs.size(1), /*takes_probabilities=*/false);
  const Tensor q = one_hot_weights(targets, log_probs.size(1), 1.0, 0.0, log_probs.dtype());
  return reduce(-weighted_log_likelihood(q, log_probs), reduction);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  if (input.shape() != target.shape()) {
    throw ValueError("mse_loss: input of shape " + input.shape().str() + " and target of shape " +
                     target.shape().str() + " differ");
  }
  ops_detail::check_same_dtype("mse_loss", input, target);
  const Tensor diff = input - target;
  return reduce(diff * diff, reduction);
}

}  // namespace lucid::nn::functional
