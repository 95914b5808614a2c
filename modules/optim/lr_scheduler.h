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
// A scheduler keeps a reference to its optimizer, which must outlive it. It acts on every parameter
// group: each group's lr at construction is that group's base lr, and each step sets each group's lr
// from the group's own schedule, as PyTorch's schedulers do. Construction is epoch 0 and leaves the
// lrs as they are. Groups added to the optimizer after the scheduler was made are not scheduled: step()
// then raises ValueError.
#pragma once

#include <cstdint>
#include <vector>

#include "modules/optim/optimizer.h"
#include "modules/state_dict.h"

namespace lucid::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances to the next epoch and sets each group's lr to the schedule's value there. ValueError,
  // nothing changed, when the optimizer's group count differs from the one at construction.
  void step();
  // Epochs stepped since construction (0 right after it).
  std::int64_t last_epoch() const { return last_epoch_; }
  // The lr of each group the schedule set last (the groups' lrs at construction).
  const std::vector<double>& get_last_lr() const { return last_lrs_; }
  // Each group's lr when the schedule was made.
  const std::vector<double>& base_lrs() const { return base_lrs_; }

  // "last_epoch" as a 0-d float64 tensor, "last_lrs" and "base_lrs" as (groups,) float64 tensors
  // (PyTorch's scheduler state_dict holds the same: last_epoch, _last_lr, base_lrs). The schedule's
  // settings (step_size, gamma, T_max, eta_min) are the constructor's. Save it beside the optimizer's
  // state_dict to resume.
  nn::StateDict state_dict() const;
  // Restores what state_dict() returned: ValueError naming every missing, unexpected or invalid key
  // (shapes as above; last_epoch a whole number >= 0, the lrs non-negative and finite), and the
  // scheduler is then unchanged. The optimizer's lrs are left alone: they belong to the optimizer's own
  // state_dict, as in PyTorch.
  void load_state_dict(const nn::StateDict& dict);

 protected:
  explicit LRScheduler(Optimizer& optimizer);

  // A group's lr for `epoch` (≥ 1), given lr, the group's lr at the epoch before, and its base lr.
  virtual double next_lr(double lr, std::int64_t epoch, double base_lr) const = 0;

 private:
  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  std::int64_t last_epoch_ = 0;
  std::vector<double> last_lrs_;
};

// Multiplies each group's lr by gamma every step_size epochs: lr = base_lr · gamma^⌊epoch / step_size⌋.
// ValueError unless step_size ≥ 1 and gamma ≥ 0 (finite).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);

 protected:
  double next_lr(double lr, std::int64_t epoch, double base_lr) const override;

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
  double next_lr(double lr, std::int64_t epoch, double base_lr) const override;

 private:
  std::int64_t T_max_;
  double eta_min_;
};

}  // namespace lucid::optim
