// The diffusion example's loss, lr schedule and training epoch (train.h).
#include "examples/diffusion/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <vector>

namespace diffusion {

lucid::Tensor diffusion_loss(UNet& model, const NoiseSchedule& schedule, const lucid::Tensor& images,
                             const lucid::Tensor& labels, double label_drop, lucid::Generator& generator) {
  const std::int64_t b = images.size(0);
  std::vector<std::int64_t> t(static_cast<std::size_t>(b)), used = labels.to_vector<std::int64_t>();
  if (used.size() != t.size()) {
    throw lucid::ValueError("diffusion_loss: " + std::to_string(b) + " images but " + std::to_string(used.size()) + " labels");
  }
  {
    lucid::Generator::Draws draws = generator.draws();
    for (std::size_t i = 0; i < t.size(); ++i) {
      t[i] = std::min<std::int64_t>(static_cast<std::int64_t>(draws.uniform() * static_cast<double>(schedule.steps())), schedule.steps() - 1);
      if (draws.uniform() < label_drop) used[i] = kNullClass;
    }
  }
  const lucid::Tensor steps = lucid::tensor(t, {b});
  const lucid::Tensor noise = lucid::randn(images.shape(), lucid::float32, false, &generator);
  const lucid::Tensor predicted = model.forward(schedule.add_noise(images, noise, steps), steps, lucid::tensor(used, {b}));
  return lucid::nn::functional::mse_loss(predicted, noise);
}

double warmup_cosine_lr(double base, std::int64_t step, std::int64_t total, std::int64_t warmup) {
  const double ramp = warmup > 0 ? std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(warmup)) : 1.0;
  const double progress = static_cast<double>(step) / static_cast<double>(std::max<std::int64_t>(total, 1));
  return base * ramp * (1.0 + std::cos(std::numbers::pi * std::min(progress, 1.0))) / 2.0;
}

EpochResult train_epoch(UNet& model, lucid::optim::Optimizer& optimizer, Ema& ema, const NoiseSchedule& schedule,
                        lucid::data::DataLoader& loader, const EpochOptions& options, lucid::Generator& generator,
                        fashion_mnist::Progress* progress, const std::function<void(std::int64_t, double)>& on_step) {
  const auto start = std::chrono::steady_clock::now();
  model.train();
  EpochResult result;
  double loss_sum = 0.0;
  std::int64_t step = options.first_step, batches = 0;
  for (const lucid::data::Batch& batch : loader) {
    optimizer.set_lr(warmup_cosine_lr(options.lr, step, options.total_steps, options.warmup_steps));
    optimizer.zero_grad();
    const lucid::Tensor loss = diffusion_loss(model, schedule, batch.images, batch.targets, options.label_drop, generator);
    loss.backward();
    optimizer.step();
    ema.update(model);
    const double value = loss.item<double>();
    loss_sum += value;
    ++batches;
    result.samples += batch.size();
    if (progress) progress->update(result.samples, loss_sum / static_cast<double>(batches));
    if (on_step) on_step(step, value);
    ++step;
  }
  result.loss = batches > 0 ? loss_sum / static_cast<double>(batches) : 0.0;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace diffusion
