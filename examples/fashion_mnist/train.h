// The training loop of the Fashion-MNIST example, as functions a test can drive on a small subset:
// one epoch of AdamW steps over a DataLoader, and evaluation (mean loss, accuracy, predictions).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "examples/fashion_mnist/progress.h"
#include "lucid.h"

namespace fashion_mnist {

struct PassResult {
  double loss = 0.0;      // mean cross-entropy over the samples
  double accuracy = 0.0;  // fraction of samples whose arg-max logit is the target
  std::int64_t samples = 0;
  double seconds = 0.0;
};

// Called after every optimizer step with the step's batch loss.
using StepCallback = std::function<void(std::int64_t step, double loss)>;

// One pass over `loader` in train mode: per batch zero_grad, cross-entropy of model(images),
// backward, `after_backward` (optional; e.g. averaging gradients over ranks), optimizer step.
// `progress` (optional) is updated after each batch.
PassResult train_epoch(lucid::nn::Module& model, lucid::optim::Optimizer& optimizer, lucid::data::DataLoader& loader,
                       Progress* progress = nullptr, const StepCallback& on_step = {},
                       const std::function<void()>& after_backward = {});

// Mean loss and accuracy of `model` in eval mode over the batches of `loader`, without recording a
// graph. `predictions` (optional) receives the arg-max class of every sample.
PassResult evaluate(lucid::nn::Module& model, lucid::data::DataLoader& loader,
                    std::vector<std::int64_t>* predictions = nullptr);
// The same over all of `data` in order.
PassResult evaluate(lucid::nn::Module& model, const lucid::data::Dataset& data, std::int64_t batch_size,
                    std::vector<std::int64_t>* predictions = nullptr);

}  // namespace fashion_mnist
