// The diffusion example's quality number, the classification accuracy score: the Fashion-MNIST
// classifier example's model labels generated samples, and the score is the fraction labelled as
// the class they were generated for.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "examples/diffusion/sampler.h"
#include "lucid.h"

namespace diffusion {

// Samples in [−1, 1] (as the diffusion model sees images: mean 0.5, stddev 0.5) rescaled to the
// classifier's input: ((x + 1)/2 − 0.2860) / 0.3530 (lucid::data::kFashionMnistMean/Std).
lucid::Tensor to_classifier_input(const lucid::Tensor& samples);

// Fraction of `samples` (N, 1, 28, 28) in [−1, 1] whose arg-max class under `classifier` (eval mode,
// no_grad) equals `labels[i]`. ValueError when the counts differ or N = 0.
double classification_accuracy(lucid::nn::Module& classifier, const lucid::Tensor& samples,
                               const std::vector<std::int64_t>& labels);

struct ScoreResult {
  double accuracy = 0.0;
  std::int64_t samples = 0;
  double seconds = 0.0;  // sampling and classifying
};

// Generates `per_class` samples of each class with `sampler`, labels them with the classifier
// example's model loaded from `classifier_checkpoint` (safetensors of fashion_mnist::make_model()),
// and returns the accuracy. ValueError naming the path when the checkpoint does not load.
ScoreResult classifier_score(UNet& model, const NoiseSchedule& schedule, const std::string& classifier_checkpoint,
                             std::int64_t per_class, const SamplerOptions& sampler, lucid::Generator& generator);

}  // namespace diffusion
