// DDIM sampling with classifier-free guidance (sampler.h).
#include "examples/diffusion/sampler.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "framework/number_format.h"

namespace diffusion {

lucid::Tensor guided_noise(UNet& model, const lucid::Tensor& x, std::int64_t t, const lucid::Tensor& labels, double w) {
  const std::int64_t b = x.size(0);
  if (w == 1.0) return model.forward(x, lucid::full({b}, static_cast<double>(t), lucid::int64), labels);
  const lucid::Tensor both = model.forward(lucid::cat({x, x}, 0), lucid::full({2 * b}, static_cast<double>(t), lucid::int64),
                                           lucid::cat({labels, lucid::full({b}, static_cast<double>(kNullClass), lucid::int64)}, 0));
  const lucid::Tensor cond = both.narrow(0, 0, b), uncond = both.narrow(0, b, b);
  return uncond + (cond - uncond) * w;
}

lucid::Tensor sample(UNet& model, const NoiseSchedule& schedule, const std::vector<std::int64_t>& labels,
                     const SamplerOptions& options, lucid::Generator& generator) {
  for (const std::int64_t label : labels) {
    if (label < 0 || label >= kClasses) {
      throw lucid::ValueError("sample: label " + std::to_string(label) + " is outside 0.." + std::to_string(kClasses - 1));
    }
  }
  if (!(std::isfinite(options.guidance) && options.guidance >= 0.0)) {
    throw lucid::ValueError("sample: guidance (" + lucid::format_number(options.guidance) + ") must be finite and >= 0");
  }
  if (options.batch_size < 1) throw lucid::ValueError("sample: batch_size (" + std::to_string(options.batch_size) + ") must be >= 1");
  const std::vector<std::int64_t> steps = schedule.ddim_timesteps(options.steps);  // checks options.steps

  const std::int64_t n = static_cast<std::int64_t>(labels.size());
  const lucid::Tensor noise = lucid::randn({n, 1, 28, 28}, lucid::float32, false, &generator);
  const bool was_training = model.is_training();
  model.eval();
  lucid::autograd::no_grad guard;
  std::vector<lucid::Tensor> chunks;
  for (std::int64_t first = 0; first < n; first += options.batch_size) {
    const std::int64_t count = std::min(options.batch_size, n - first);
    const lucid::Tensor chunk_labels = lucid::tensor(std::vector<std::int64_t>(labels.begin() + first, labels.begin() + first + count), {count});
    lucid::Tensor x = noise.narrow(0, first, count).contiguous();
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::int64_t t = steps[i], t_prev = i + 1 < steps.size() ? steps[i + 1] : -1;
      x = schedule.ddim_step(x, guided_noise(model, x, t, chunk_labels, options.guidance), t, t_prev);
    }
    chunks.push_back(x);
  }
  model.train(was_training);
  return n == 0 ? lucid::zeros({0, 1, 28, 28}) : lucid::cat(chunks, 0);
}

std::vector<std::int64_t> labels_per_class(std::int64_t per_class) {
  std::vector<std::int64_t> labels;
  for (std::int64_t c = 0; c < kClasses; ++c) labels.insert(labels.end(), static_cast<std::size_t>(per_class), c);
  return labels;
}

}  // namespace diffusion
