// The training loop of the Fashion-MNIST example, as functions a test can drive on a small subset:
// one epoch of AdamW steps over a DataLoader, and evaluation (mean loss, accuracy, predictions, the
// confusion matrix and the first misclassified images).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "examples/fashion_mnist/confusion.h"
#include "examples/fashion_mnist/mistakes.h"
#include "examples/fashion_mnist/progress.h"
#include "lucid.h"

namespace fashion_mnist {

struct PassResult {
  double loss = 0.0;      // mean cross-entropy over the samples
  double accuracy = 0.0;  // fraction of samples whose arg-max logit is the target
  std::int64_t samples = 0;
  double seconds = 0.0;
};

// Called after every optimizer step with the step's index in the epoch (from 0) and its batch's
// figures: loss and accuracy before the step, samples, and the seconds from the end of the previous
// step (the batch's loading included) to the end of this one.
using StepCallback = std::function<void(std::int64_t step, const PassResult& batch)>;

// What evaluate can collect besides the mean figures.
struct EvalDetails {
  std::vector<std::int64_t> predictions;  // arg-max class of every sample, in the loader's order
  ConfusionMatrix confusion{lucid::data::kFashionMnistClasses};  // row = target, column = prediction
  std::vector<Mistake> mistakes;          // the first `max_mistakes` misclassified samples, in order
  std::size_t max_mistakes = 64;
  std::int64_t image_height = 0, image_width = 0;  // of the images seen (H, W of (N, 1, H, W))
};

// One pass over `loader` in train mode: per batch zero_grad, cross-entropy of model(images),
// backward, `after_backward` (optional; e.g. averaging gradients over ranks), optimizer step.
// `progress` (optional) is updated after each batch.
PassResult train_epoch(lucid::nn::Module& model, lucid::optim::Optimizer& optimizer, lucid::data::DataLoader& loader,
                       Progress* progress = nullptr, const StepCallback& on_step = {},
                       const std::function<void()>& after_backward = {});

// Mean loss and accuracy of `model` in eval mode over the batches of `loader`, without recording a
// graph. `details` (optional) receives the predictions, the confusion matrix and the mistakes of
// (N, 1, H, W) images (added to what it holds).
PassResult evaluate(lucid::nn::Module& model, lucid::data::DataLoader& loader, EvalDetails* details = nullptr);
// The same over all of `data` in order.
PassResult evaluate(lucid::nn::Module& model, const lucid::data::Dataset& data, std::int64_t batch_size,
                    EvalDetails* details = nullptr);

}  // namespace fashion_mnist
