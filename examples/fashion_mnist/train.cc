#include "examples/fashion_mnist/train.h"

#include <chrono>

namespace fashion_mnist {
namespace {

// How many rows of (B, K) logits have their arg-max (first one on ties) equal to the int64 targets.
std::int64_t count_correct(const lucid::Tensor& logits, const lucid::Tensor& targets) {
  return static_cast<std::int64_t>((logits.argmax(1) == targets).sum().item());
}

// Adds a batch's predictions (arg-max of the logits), confusion counts and mistakes (with the
// softmax probability of the wrong class and the image) to `details`.
void record_details(const lucid::Tensor& logits, const lucid::data::Batch& batch, EvalDetails& details) {
  const std::vector<std::int64_t> predicted = logits.argmax(1).to_vector<std::int64_t>();
  const std::vector<std::int64_t> targets = batch.targets.to_vector<std::int64_t>();
  const std::vector<float> probabilities = lucid::softmax(logits, 1).to_vector<float>();
  const std::int64_t classes = logits.shape()[1];
  const auto pixels = static_cast<std::size_t>(batch.images.numel() / batch.size());
  std::vector<float> images;  // the batch's pixels, read at its first mistake
  details.image_height = batch.images.shape()[2];
  details.image_width = batch.images.shape()[3];
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    details.predictions.push_back(predicted[i]);
    details.confusion.add(targets[i], predicted[i]);
    if (predicted[i] == targets[i] || details.mistakes.size() >= details.max_mistakes) continue;
    if (images.empty()) images = batch.images.to_vector<float>();
    const auto image = images.begin() + static_cast<std::ptrdiff_t>(i * pixels);
    details.mistakes.push_back({std::vector<float>(image, image + static_cast<std::ptrdiff_t>(pixels)), targets[i], predicted[i],
                                probabilities[i * static_cast<std::size_t>(classes) + static_cast<std::size_t>(predicted[i])]});
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

PassResult train_epoch(lucid::nn::Module& model, lucid::optim::Optimizer& optimizer, lucid::data::DataLoader& loader,
                       Progress* progress, const StepCallback& on_step, const std::function<void()>& after_backward) {
  const auto start = std::chrono::steady_clock::now();
  model.train();
  PassResult result;
  double loss_sum = 0.0;
  std::int64_t correct = 0, step = 0;
  auto step_start = std::chrono::steady_clock::now();
  for (const lucid::data::Batch& batch : loader) {
    using lucid::autograd::ProfileScope;  // spans of a --profile run (autodiff/profiler.h); free otherwise
    { const ProfileScope span("optimizer", "zero_grad"); optimizer.zero_grad(); }
    const lucid::Tensor logits = model(batch.images);
    lucid::Tensor loss;
    { const ProfileScope span("forward", "cross_entropy"); loss = lucid::nn::functional::cross_entropy(logits, batch.targets); }
    { const ProfileScope span("backward", "engine (graph walk, leaf gradients)"); loss.backward(); }
    if (after_backward) {
      const ProfileScope span("data parallel", "gradient averaging");
      after_backward();
    }
    { const ProfileScope span("optimizer", "step"); optimizer.step(); }
    const ProfileScope rest_span("loop", "metrics, steps.csv, progress");
    const double batch_loss = loss.item();
    const std::int64_t n = batch.size();
    const std::int64_t batch_correct = count_correct(logits.detach(), batch.targets);
    loss_sum += batch_loss * static_cast<double>(n);
    correct += batch_correct;
    result.samples += n;
    if (on_step) {
      on_step(step, {batch_loss, static_cast<double>(batch_correct) / static_cast<double>(n), n, seconds_since(step_start)});
    }
    step_start = std::chrono::steady_clock::now();
    ++step;
    if (progress) {
      progress->update(result.samples, loss_sum / static_cast<double>(result.samples),
                       static_cast<double>(correct) / static_cast<double>(result.samples));
    }
  }
  if (result.samples > 0) {
    result.loss = loss_sum / static_cast<double>(result.samples);
    result.accuracy = static_cast<double>(correct) / static_cast<double>(result.samples);
  }
  result.seconds = seconds_since(start);
  return result;
}

PassResult evaluate(lucid::nn::Module& model, lucid::data::DataLoader& loader, EvalDetails* details) {
  const auto start = std::chrono::steady_clock::now();
  model.eval();
  lucid::autograd::no_grad guard;
  PassResult result;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  for (const lucid::data::Batch& batch : loader) {
    const lucid::Tensor logits = model(batch.images);
    loss_sum += lucid::nn::functional::cross_entropy(logits, batch.targets, 0.0, lucid::nn::functional::Reduction::kSum).item();
    correct += count_correct(logits, batch.targets);
    if (details) record_details(logits, batch, *details);
    result.samples += batch.size();
  }
  if (result.samples > 0) {
    result.loss = loss_sum / static_cast<double>(result.samples);
    result.accuracy = static_cast<double>(correct) / static_cast<double>(result.samples);
  }
  result.seconds = seconds_since(start);
  return result;
}

PassResult evaluate(lucid::nn::Module& model, const lucid::data::Dataset& data, std::int64_t batch_size,
                    EvalDetails* details) {
  lucid::data::DataLoader loader(data, {.batch_size = batch_size});
  return evaluate(model, loader, details);
}

}  // namespace fashion_mnist
