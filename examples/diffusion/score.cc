// The classification accuracy score of generated samples (score.h).
#include "examples/diffusion/score.h"

#include <chrono>

#include "examples/fashion_mnist/model.h"

namespace diffusion {

lucid::Tensor to_classifier_input(const lucid::Tensor& samples) {
  return ((samples + 1.0) * 0.5 - lucid::data::kFashionMnistMean) * (1.0 / lucid::data::kFashionMnistStd);
}

double classification_accuracy(lucid::nn::Module& classifier, const lucid::Tensor& samples,
                               const std::vector<std::int64_t>& labels) {
  const std::int64_t n = samples.dim() > 0 ? samples.size(0) : 0;
  if (n == 0 || static_cast<std::int64_t>(labels.size()) != n) {
    throw lucid::ValueError("classification_accuracy: " + std::to_string(n) + " samples and " +
                            std::to_string(labels.size()) + " labels (need the same, non-zero count)");
  }
  const bool was_training = classifier.is_training();
  classifier.eval();
  std::vector<std::int64_t> predicted;
  {
    lucid::autograd::no_grad guard;
    predicted = classifier(to_classifier_input(samples)).argmax(1).to_vector<std::int64_t>();
  }
  classifier.train(was_training);
  std::int64_t hits = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) hits += predicted[i] == labels[i] ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(n);
}

ScoreResult classifier_score(UNet& model, const NoiseSchedule& schedule, const std::string& classifier_checkpoint,
                             std::int64_t per_class, const SamplerOptions& sampler, lucid::Generator& generator) {
  const auto start = std::chrono::steady_clock::now();
  const auto classifier = fashion_mnist::make_model();
  lucid::load(*classifier, classifier_checkpoint);
  const std::vector<std::int64_t> labels = labels_per_class(per_class);
  const lucid::Tensor samples = sample(model, schedule, labels, sampler, generator);
  ScoreResult r;
  r.accuracy = classification_accuracy(*classifier, samples, labels);
  r.samples = static_cast<std::int64_t>(labels.size());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace diffusion
