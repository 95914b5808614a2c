// Learning-rate schedules that set an Optimizer's lr once per step() (per epoch or per batch, as the
// caller decides), reproducing PyTorch 1.13's torch.optim.lr_scheduler values: each schedule uses
// PyTorch's recursive ("chainable") formula in the same floating-point order, so the sequence of
// get_last_lr() is PyTorch's to the last bit.
//
//   lucid::optim::AdamW opt(model.parameters(), {.lr = 2e-3});
//   lucid::optim::CosineAnnealingLR schedule(opt, steps_per_epoch * epochs);
//   for (...) { ...; opt.step(); schedule.step(); }
//   lucid::save(schedule.state_dict(), "schedule.safetensors");  // with the model's and optimizer's
//
// A scheduler keeps a reference to its optimizer, which must outlive it. Construction is epoch 0 and
// leaves the optimizer's lr (the base lr) as it is.
#pragma once

#include <cstdint>

#include "modules/optim/optimizer.h"
#include "modules/state_dict.h"

namespace lucid::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances to the next epoch and sets the optimizer's lr to the schedule's value there.
  void step();
  // Epochs stepped since construction (0 right after it).
  std::int64_t last_epoch() const { return last_epoch_; }
  // The lr the schedule set last (the optimizer's lr at construction).
  double get_last_lr() const { return last_lr_; }
  // The optimizer's lr when the schedule was made.
  double base_lr() const { return base_lr_; }

  // "last_epoch", "last_lr" and "base_lr" as 0-d float64 tensors (PyTorch's scheduler state_dict
  // holds the same: last_epoch, _last_lr, base_lrs). The schedule's settings (step_size, gamma,
  // T_max, eta_min) are the constructor's. Save it beside the optimizer's state_dict to resume.
  nn::StateDict state_dict() const;
  // Restores what state_dict() returned: ValueError naming every missing, unexpected or invalid key
  // (0-d tensors; last_epoch a whole number >= 0, the lrs non-negative and finite), and the
  // scheduler is then unchanged. The optimizer's lr is left alone: it belongs to the optimizer's own
  // state_dict, as in PyTorch.
  void load_state_dict(const nn::StateDict& dict);

 protected:
  explicit LRScheduler(Optimizer& optimizer);

  // The lr for `epoch` (≥ 1), given lr, the optimizer's lr at the epoch before.
  virtual double next_lr(double lr, std::int64_t epoch) const = 0;

 private:
  Optimizer& optimizer_;
  double base_lr_;
  std::int64_t last_epoch_ = 0;
  double last_lr_;
};

// Multiplies the lr by gamma every step_size epochs: lr = base_lr · gamma^⌊epoch / step_size⌋.
// ValueError unless step_size ≥ 1 and gamma ≥ 0 (finite).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);

 protected:
  double next_lr(double lr, std::int64_t epoch) const override;

 private:
  std::int64_t step_size_;
  double gamma_;
};

// Cosine annealing from the base lr down to eta_min over T_max epochs (and back up over the next T_max,
// periodically, as PyTorch does without restarts):
//   lr = eta_min + (base_lr − eta_min)·(1 + cos(π·epoch / T_max)) / 2
// ValueError unless T_max ≥ 1 and eta_min ≥ 0 (finite).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min = 0.0);

 protected:
  double next_lr(double lr, std::int64_t epoch) const override;

 private:
  std::int64_t T_max_;
  double eta_min_;
};

}  // namespace lucid::optim
