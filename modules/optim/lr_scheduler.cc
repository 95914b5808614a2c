#include "modules/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "framework/number_format.h"

namespace lucid::optim {

LRScheduler::LRScheduler(Optimizer& optimizer)
    : optimizer_(optimizer), base_lr_(optimizer.lr()), last_lr_(optimizer.lr()) {}

void LRScheduler::step() {
  const double lr = next_lr(optimizer_.lr(), last_epoch_ + 1);
  optimizer_.set_lr(lr);
  ++last_epoch_;
  last_lr_ = lr;
}

namespace {
// The keys of state_dict(), in the order of its values array and of load_state_dict's.
constexpr std::string_view kStateKeys[] = {"last_epoch", "last_lr", "base_lr"};
}  // namespace

nn::StateDict LRScheduler::state_dict() const {
  const double values[std::size(kStateKeys)] = {static_cast<double>(last_epoch_), last_lr_, base_lr_};
  nn::StateDict dict;
  for (std::size_t k = 0; k < std::size(kStateKeys); ++k) {
    dict.insert_or_assign(std::string(kStateKeys[k]), detail::scalar(values[k]));
  }
  return dict;
}

void LRScheduler::load_state_dict(const nn::StateDict& dict) {
  std::vector<std::string> missing, unexpected, invalid;
  double values[std::size(kStateKeys)] = {};  // last_epoch, last_lr, base_lr
  for (std::size_t k = 0; k < std::size(kStateKeys); ++k) {
    const std::string key(kStateKeys[k]);
    const Tensor* t = dict.find(key);
    if (!t) {
      missing.push_back(key);
    } else if (std::string error = detail::shape_mismatch(key, *t, Shape()); !error.empty()) {
      invalid.push_back(std::move(error));
    } else {
      values[k] = t->item();
      const bool is_epoch = k == 0;
      if (is_epoch ? !detail::whole_non_negative(values[k]) : !detail::non_negative_finite(values[k])) {
        invalid.push_back(key + ": expected " + (is_epoch ? "a whole number >= 0" : "a non-negative finite lr") +
                          ", got " + format_number(values[k]));
      }
    }
  }
  for (const auto& [key, value] : dict) {
    if (std::ranges::find(kStateKeys, std::string_view(key)) == std::end(kStateKeys)) unexpected.push_back(key);
  }
  if (!missing.empty() || !unexpected.empty() || !invalid.empty()) {
    std::ostringstream msg;
    msg << "LRScheduler.load_state_dict failed; the scheduler is unchanged.";
    nn::append_key_list(msg, "Missing keys", missing);
    nn::append_key_list(msg, "Unexpected keys", unexpected);
    nn::append_key_list(msg, "Invalid values", invalid);
    throw ValueError(msg.str());
  }
  last_epoch_ = static_cast<std::int64_t>(values[0]);
  last_lr_ = values[1];
  base_lr_ = values[2];
}

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1) throw ValueError("StepLR: step_size (" + std::to_string(step_size) + ") must be at least 1");
  if (!detail::non_negative_finite(gamma)) {
    throw ValueError("StepLR: gamma (" + format_number(gamma) + ") must be non-negative and finite");
  }
}

// PyTorch: lr · gamma at every multiple of step_size, else lr unchanged.
double StepLR::next_lr(double lr, std::int64_t epoch) const { return epoch % step_size_ == 0 ? lr * gamma_ : lr; }

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  if (T_max < 1) throw ValueError("CosineAnnealingLR: T_max (" + std::to_string(T_max) + ") must be at least 1");
  if (!detail::non_negative_finite(eta_min)) {
    throw ValueError("CosineAnnealingLR: eta_min (" + format_number(eta_min) +
                     ") must be non-negative and finite");
  }
}

// PyTorch's recursive form, operation for operation (e = epoch, T = T_max):
//   e − 1 − T a multiple of 2T (the trough just passed):  lr + (base_lr − eta_min)·(1 − cos(π/T)) / 2
//   otherwise:  (1 + cos(π·e/T)) / (1 + cos(π·(e − 1)/T)) · (lr − eta_min) + eta_min
double CosineAnnealingLR::next_lr(double lr, std::int64_t epoch) const {
  constexpr double pi = std::numbers::pi;
  const auto e = static_cast<double>(epoch), T = static_cast<double>(T_max_);
  if ((epoch - 1 - T_max_) % (2 * T_max_) == 0) return lr + (base_lr() - eta_min_) * (1 - std::cos(pi / T)) / 2;
  return (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lr - eta_min_) + eta_min_;
}

}  // namespace lucid::optim
