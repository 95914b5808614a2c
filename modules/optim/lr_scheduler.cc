#include "modules/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "framework/factories.h"
#include "framework/number_format.h"

namespace lucid::optim {

namespace {

// Every group's current lr.
std::vector<double> group_lrs(const Optimizer& optimizer) {
  std::vector<double> lrs;
  for (std::size_t g = 0; g < optimizer.param_group_count(); ++g) lrs.push_back(optimizer.group_lr(g));
  return lrs;
}

// "last_epoch" first: state_dict's and load_state_dict's key order.
constexpr std::string_view kEpochKey = "last_epoch";
constexpr std::string_view kLrKeys[] = {"last_lrs", "base_lrs"};

}  // namespace

LRScheduler::LRScheduler(Optimizer& optimizer)
    : optimizer_(optimizer), base_lrs_(group_lrs(optimizer)), last_lrs_(base_lrs_) {}

void LRScheduler::step() {
  const std::vector<double> lrs = group_lrs(optimizer_);
  if (lrs.size() != base_lrs_.size()) {
    throw ValueError("LRScheduler.step: the optimizer has " + std::to_string(lrs.size()) +
                     " param groups, the scheduler was made for " + std::to_string(base_lrs_.size()));
  }
  std::vector<double> next(lrs.size());
  for (std::size_t g = 0; g < lrs.size(); ++g) next[g] = next_lr(lrs[g], last_epoch_ + 1, base_lrs_[g]);
  for (std::size_t g = 0; g < lrs.size(); ++g) optimizer_.set_group_lr(g, next[g]);
  ++last_epoch_;
  last_lrs_ = std::move(next);
}

nn::StateDict LRScheduler::state_dict() const {
  nn::StateDict dict;
  const auto groups = static_cast<std::int64_t>(base_lrs_.size());
  dict.insert_or_assign(std::string(kEpochKey), detail::scalar(static_cast<double>(last_epoch_)));
  dict.insert_or_assign(std::string(kLrKeys[0]), tensor(last_lrs_, {groups}));
  dict.insert_or_assign(std::string(kLrKeys[1]), tensor(base_lrs_, {groups}));
  return dict;
}

void LRScheduler::load_state_dict(const nn::StateDict& dict) {
  std::vector<std::string> missing, unexpected, invalid;
  double epoch = 0;
  std::vector<double> lrs[std::size(kLrKeys)];  // last_lrs, base_lrs
  if (const Tensor* t = dict.find(std::string(kEpochKey)); !t) {
    missing.emplace_back(kEpochKey);
  } else if (std::string error = detail::shape_mismatch(std::string(kEpochKey), *t, Shape()); !error.empty()) {
    invalid.push_back(std::move(error));
  } else if (epoch = t->item(); !detail::whole_non_negative(epoch)) {
    invalid.push_back(std::string(kEpochKey) + ": expected a whole number >= 0, got " + format_number(epoch));
  }
  const Shape lrs_shape{static_cast<std::int64_t>(base_lrs_.size())};
  for (std::size_t k = 0; k < std::size(kLrKeys); ++k) {
    const std::string key(kLrKeys[k]);
    const Tensor* t = dict.find(key);
    if (!t) {
      missing.push_back(key);
    } else if (std::string error = detail::shape_mismatch(key, *t, lrs_shape); !error.empty()) {
      invalid.push_back(std::move(error));
    } else {
      lrs[k] = t->to_vector<double>();
      for (double lr : lrs[k]) {
        if (!detail::non_negative_finite(lr)) {
          invalid.push_back(key + ": expected a non-negative finite lr, got " + format_number(lr));
          break;
        }
      }
    }
  }
  for (const auto& [key, value] : dict) {
    if (key != kEpochKey && std::ranges::find(kLrKeys, std::string_view(key)) == std::end(kLrKeys)) {
      unexpected.push_back(key);
    }
  }
  if (!missing.empty() || !unexpected.empty() || !invalid.empty()) {
    std::ostringstream msg;
    msg << "LRScheduler.load_state_dict failed; the scheduler is unchanged.";
    nn::append_key_list(msg, "Missing keys", missing);
    nn::append_key_list(msg, "Unexpected keys", unexpected);
    nn::append_key_list(msg, "Invalid values", invalid);
    throw ValueError(msg.str());
  }
  last_epoch_ = static_cast<std::int64_t>(epoch);
  last_lrs_ = std::move(lrs[0]);
  base_lrs_ = std::move(lrs[1]);
}

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1) throw ValueError("StepLR: step_size (" + std::to_string(step_size) + ") must be at least 1");
  if (!detail::non_negative_finite(gamma)) {
    throw ValueError("StepLR: gamma (" + format_number(gamma) + ") must be non-negative and finite");
  }
}

// PyTorch: lr · gamma at every multiple of step_size, else lr unchanged.
double StepLR::next_lr(double lr, std::int64_t epoch, double) const {
  return epoch % step_size_ == 0 ? lr * gamma_ : lr;
}

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
double CosineAnnealingLR::next_lr(double lr, std::int64_t epoch, double base_lr) const {
  constexpr double pi = std::numbers::pi;
  const auto e = static_cast<double>(epoch), T = static_cast<double>(T_max_);
  if ((epoch - 1 - T_max_) % (2 * T_max_) == 0) return lr + (base_lr - eta_min_) * (1 - std::cos(pi / T)) / 2;
  return (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lr - eta_min_) + eta_min_;
}

}  // namespace lucid::optim
