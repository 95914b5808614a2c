#include "examples/fashion_mnist/train.h"

#include <chrono>

namespace fashion_mnist {
namespace {

// Per row of (B, K) logits: the arg-max class (first one on ties), appended to `out`; returns how
// many equal the int64 targets.
std::int64_t count_correct(const lucid::Tensor& logits, const lucid::Tensor& targets, std::vector<std::int64_t>* out) {
  const lucid::Tensor predicted = logits.argmax(1);
  if (out) {
    const std::vector<std::int64_t> classes = predicted.to_vector<std::int64_t>();
    out->insert(out->end(), classes.begin(), classes.end());
  }
  return static_cast<std::int64_t>((predicted == targets).sum().item());
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
  for (const lucid::data::Batch& batch : loader) {
    optimizer.zero_grad();
    const lucid::Tensor logits = model(batch.images);
    const lucid::Tensor loss = lucid::nn::functional::cross_entropy(logits, batch.targets);
    loss.backward();
    if (after_backward) after_backward();
    optimizer.step();
    const double batch_loss = loss.item();
    const std::int64_t n = batch.size();
    loss_sum += batch_loss * static_cast<double>(n);
    correct += count_correct(logits.detach(), batch.targets, nullptr);
    result.samples += n;
    if (on_step) on_step(step, batch_loss);
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

PassResult evaluate(lucid::nn::Module& model, lucid::data::DataLoader& loader, std::vector<std::int64_t>* predictions) {
  const auto start = std::chrono::steady_clock::now();
  model.eval();
  lucid::autograd::no_grad guard;
  PassResult result;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  for (const lucid::data::Batch& batch : loader) {
    const lucid::Tensor logits = model(batch.images);
    loss_sum += lucid::nn::functional::cross_entropy(logits, batch.targets, 0.0, lucid::nn::functional::Reduction::kSum).item();
    correct += count_correct(logits, batch.targets, predictions);
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
                    std::vector<std::int64_t>* predictions) {
  lucid::data::DataLoader loader(data, {.batch_size = batch_size});
  return evaluate(model, loader, predictions);
}

}  // namespace fashion_mnist
