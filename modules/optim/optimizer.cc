#include "modules/optim/optimizer.h"

#include <charconv>
#include <cmath>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "framework/factories.h"
#include "framework/number_format.h"

namespace lucid::optim {
namespace {

constexpr std::string_view kGroupPrefix = "param_group.";
constexpr std::string_view kStatePrefix = "state.";

// A copy of t with its own storage, converted to dtype.
Tensor copy_as(const Tensor& t, DType dtype) { return Tensor::empty(t.shape(), dtype).copy_(t); }

// Splits "state.<i>.<name>" into (i, name); false for any other form (including "state.01.x").
bool parse_state_key(const std::string& key, std::size_t& index, std::string& name) {
  if (!key.starts_with(kStatePrefix)) return false;
  const std::size_t dot = key.find('.', kStatePrefix.size());
  if (dot == std::string::npos || dot + 1 == key.size()) return false;
  const std::string digits = key.substr(kStatePrefix.size(), dot - kStatePrefix.size());
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc() || end != digits.data() + digits.size() || std::to_string(index) != digits) return false;
  name = key.substr(dot + 1);
  return true;
}

std::string state_key(std::size_t index, const std::string& name) {
  return std::string(kStatePrefix) + std::to_string(index) + "." + name;
}

}  // namespace

namespace detail {

Tensor scalar(double v) { return scalar_tensor(v, float64); }

bool non_negative_finite(double v) { return v >= 0.0 && std::isfinite(v); }

bool whole_non_negative(double v) { return non_negative_finite(v) && v == std::floor(v); }

std::string shape_mismatch(const std::string& name, const Tensor& t, const Shape& expected) {
  if (t.defined() && t.shape() == expected) return {};
  return name + ": expected shape " + expected.str() + ", got " +
         (t.defined() ? t.shape().str() : std::string("an undefined tensor"));
}

}  // namespace detail

Optimizer::Optimizer(std::string name, std::vector<nn::Parameter> parameters, double lr)
    : name_(std::move(name)), parameters_(std::move(parameters)), state_(parameters_.size()), lr_(lr) {
  if (parameters_.empty()) throw ValueError(name_ + ": got an empty parameter list");
  std::unordered_map<const TensorImpl*, std::size_t> seen;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (!parameters_[i].defined()) throw ValueError(name_ + ": parameter " + std::to_string(i) + " is undefined");
    const auto [it, inserted] = seen.emplace(parameters_[i].impl().get(), i);
    if (!inserted) {
      throw ValueError(name_ + ": parameter " + std::to_string(i) + " is the same tensor as parameter " +
                       std::to_string(it->second));
    }
  }
  check_lr(lr);
}

void Optimizer::check_lr(double lr) const {
  if (!detail::non_negative_finite(lr)) {
    throw ValueError(name_ + ": lr (" + format_number(lr) + ") must be non-negative and finite");
  }
}

void Optimizer::set_lr(double lr) {
  check_lr(lr);
  lr_ = lr;
}

void Optimizer::step() {
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Tensor grad = parameters_[i].grad();
    if (grad.defined()) {
      update(parameters_[i], grad, state_[i]);
      parameters_[i].bump_version();  // a graph that saved the old value must not run backward on it
    }
  }
}

void Optimizer::zero_grad() {
  for (const nn::Parameter& p : parameters_) p.set_grad(Tensor());
}

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict dict;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    for (const auto& [name, value] : state_[i]) {
      dict.insert_or_assign(state_key(i, name), copy_as(value, value.dtype()));
    }
  }
  for (const auto& [name, value] : hyperparameters()) {
    dict.insert_or_assign(std::string(kGroupPrefix) + name, copy_as(value, float64));
  }
  return dict;
}

void Optimizer::load_state_dict(const nn::StateDict& dict) {
  // Validate every key first, building the new state aside; adopt it only when all is well.
  const nn::StateDict own_hyperparameters = hyperparameters();
  const std::vector<StateSlot> slots = state_slots();
  std::vector<std::string> missing, unexpected, mismatched;  // mismatched: bad shape or value
  nn::StateDict loaded_hyperparameters;
  for (const auto& [name, current] : own_hyperparameters) {
    const std::string key = std::string(kGroupPrefix) + name;
    const Tensor* source = dict.find(key);
    if (!source) {
      missing.push_back(key);
    } else if (std::string error = detail::shape_mismatch(key, *source, current.shape()); !error.empty()) {
      mismatched.push_back(std::move(error));
    } else {
      loaded_hyperparameters.insert_or_assign(name, copy_as(*source, float64));
    }
  }
  std::vector<nn::StateDict> loaded_state(parameters_.size());
  std::vector<bool> has_state(parameters_.size(), false);
  for (const auto& [key, source] : dict) {
    if (key.starts_with(kGroupPrefix)) {
      if (!own_hyperparameters.contains(key.substr(kGroupPrefix.size()))) unexpected.push_back(key);
      continue;
    }
    std::size_t index = 0;
    std::string name;
    const StateSlot* slot = nullptr;
    if (parse_state_key(key, index, name) && index < parameters_.size()) {
      for (const StateSlot& s : slots) {
        if (s.name == name) slot = &s;
      }
    }
    if (!slot) {
      unexpected.push_back(key);
      continue;
    }
    has_state[index] = true;
    const Tensor& param = parameters_[index];
    const Shape expected = slot->per_element ? param.shape() : Shape();
    if (std::string error = detail::shape_mismatch(key, source, expected); !error.empty()) {
      mismatched.push_back(std::move(error));
    } else if (const double count = slot->per_element ? 0.0 : source.item();
               !detail::whole_non_negative(count)) {
      mismatched.push_back(key + ": expected a whole number >= 0, got " + format_number(count));
    } else {
      loaded_state[index].insert_or_assign(name, copy_as(source, slot->per_element ? param.dtype() : float64));
    }
  }
  for (std::size_t i = 0; i < parameters_.size(); ++i) {  // a parameter's state is all there or absent
    if (!has_state[i]) continue;
    for (const StateSlot& slot : slots) {
      if (!dict.contains(state_key(i, slot.name))) missing.push_back(state_key(i, slot.name));
    }
  }

  const std::string failed = name_ + ".load_state_dict failed; the optimizer is unchanged.";
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::ostringstream msg;
    msg << failed;
    nn::append_key_list(msg, "Missing keys", missing);
    nn::append_key_list(msg, "Unexpected keys", unexpected);
    nn::append_key_list(msg, "Invalid values", mismatched);
    throw ValueError(msg.str());
  }
  try {
    set_hyperparameters(loaded_hyperparameters);
  } catch (const ValueError& e) {
    throw ValueError(failed + " Invalid " + std::string(kGroupPrefix) + "* value: " + e.what());
  }
  state_ = std::move(loaded_state);
}

}  // namespace lucid::optim
