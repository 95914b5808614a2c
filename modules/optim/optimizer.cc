#include "modules/optim/optimizer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "framework/factories.h"
#include "framework/number_format.h"

namespace lucid::optim {
namespace {

constexpr std::string_view kGroupPrefix = "param_groups.";
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

// "param_groups.<g>.<name>"
std::string group_key(std::size_t g, const std::string& name) {
  return std::string(kGroupPrefix) + std::to_string(g) + "." + name;
}

// "0, 1, 2"
std::string index_list(const std::vector<std::int64_t>& indices) {
  std::string out;
  for (std::int64_t i : indices) out += (out.empty() ? "" : ", ") + std::to_string(i);
  return out;
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

Optimizer::~Optimizer() = default;

void Optimizer::add_group_state(const std::vector<nn::Parameter>& parameters) {
  if (parameters.empty()) throw ValueError(name_ + ": got an empty parameter list");
  std::unordered_map<const TensorImpl*, std::size_t> seen;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].defined()) throw ValueError(name_ + ": parameter " + std::to_string(i) + " is undefined");
    const auto [it, inserted] = seen.emplace(parameters[i].impl().get(), i);
    if (!inserted) {
      throw ValueError(name_ + ": parameter " + std::to_string(i) + " is the same tensor as parameter " +
                       std::to_string(it->second));
    }
  }
  for (std::size_t g = 0; g < state_.size(); ++g) {
    const std::vector<nn::Parameter>& group = group_parameters(g);
    for (std::size_t k = 0; k < group.size(); ++k) {
      if (const auto it = seen.find(group[k].impl().get()); it != seen.end()) {
        throw ValueError(name_ + ": parameter " + std::to_string(it->second) + " of the new group is already " +
                         "parameter " + std::to_string(k) + " of param group " + std::to_string(g) +
                         " (a parameter may be in one group only)");
      }
    }
  }
  state_.emplace_back(parameters.size());
}

void Optimizer::check_lr(double lr) const {
  if (!detail::non_negative_finite(lr)) {
    throw ValueError(name_ + ": lr (" + format_number(lr) + ") must be non-negative and finite");
  }
}

void Optimizer::check_group_index(std::size_t g) const {
  if (g >= param_group_count()) {
    throw ValueError(name_ + ": param group " + std::to_string(g) + " is out of range for " +
                     std::to_string(param_group_count()) + " groups");
  }
}

double Optimizer::group_lr(std::size_t g) const {
  check_group_index(g);
  return lr_of(g);
}

void Optimizer::set_group_lr(std::size_t g, double lr) {
  check_group_index(g);
  check_lr(lr);
  assign_lr(g, lr);
}

void Optimizer::set_lr(double lr) {
  check_lr(lr);
  for (std::size_t g = 0; g < param_group_count(); ++g) assign_lr(g, lr);
}

std::vector<nn::Parameter> Optimizer::parameters() const {
  std::vector<nn::Parameter> out;
  for (std::size_t g = 0; g < param_group_count(); ++g) {
    const std::vector<nn::Parameter>& group = group_parameters(g);
    out.insert(out.end(), group.begin(), group.end());
  }
  return out;
}

void Optimizer::step() {
  for (std::size_t g = 0; g < param_group_count(); ++g) check_group(g);
  for (std::size_t g = 0; g < param_group_count(); ++g) {
    const std::vector<nn::Parameter>& group = group_parameters(g);
    for (std::size_t k = 0; k < group.size(); ++k) {
      const Tensor grad = group[k].grad();
      if (grad.defined()) {
        update(group[k], grad, state_[g][k], g);
        group[k].bump_version();  // a graph that saved the old value must not run backward on it
      }
    }
  }
}

void Optimizer::zero_grad() {
  for (std::size_t g = 0; g < param_group_count(); ++g) {
    for (const nn::Parameter& p : group_parameters(g)) p.set_grad(Tensor());
  }
}

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict dict;
  std::int64_t index = 0;  // across groups
  for (std::size_t g = 0; g < param_group_count(); ++g) {
    std::vector<std::int64_t> indices;
    for (const nn::StateDict& state : state_[g]) {
      for (const auto& [name, value] : state) {
        dict.insert_or_assign(state_key(static_cast<std::size_t>(index), name), copy_as(value, value.dtype()));
      }
      indices.push_back(index++);
    }
    for (const auto& [name, value] : hyperparameters(g)) {
      dict.insert_or_assign(group_key(g, name), copy_as(value, float64));
    }
    dict.insert_or_assign(group_key(g, "params"), tensor(indices, {static_cast<std::int64_t>(indices.size())}));
  }
  return dict;
}

void Optimizer::load_state_dict(const nn::StateDict& dict) {
  // Validate every key first, building the new state aside; adopt it only when all is well.
  const std::size_t groups = param_group_count();
  const std::vector<StateSlot> slots = state_slots();
  std::vector<std::string> missing, unexpected, mismatched;  // mismatched: bad shape or value
  std::vector<nn::StateDict> loaded_hyperparameters(groups);
  std::vector<std::string> expected_group_keys;
  // (group, position in group) of each parameter index across groups
  std::vector<std::pair<std::size_t, std::size_t>> position;
  for (std::size_t g = 0; g < groups; ++g) {
    std::vector<std::int64_t> indices;
    for (std::size_t k = 0; k < state_[g].size(); ++k) {
      indices.push_back(static_cast<std::int64_t>(position.size()));
      position.emplace_back(g, k);
    }
    const std::string params_key = group_key(g, "params");
    expected_group_keys.push_back(params_key);
    const Tensor* params = dict.find(params_key);
    if (!params) {
      missing.push_back(params_key);
    } else if (!params->defined() || params->dtype() != int64 ||
               params->to_vector<std::int64_t>() != indices) {
      mismatched.push_back(params_key + ": expected the int64 indices [" + index_list(indices) +
                           "] of this optimizer's group " + std::to_string(g));
    }
    for (const auto& [name, current] : hyperparameters(g)) {
      const std::string key = group_key(g, name);
      expected_group_keys.push_back(key);
      const Tensor* source = dict.find(key);
      if (!source) {
        missing.push_back(key);
      } else if (std::string error = detail::shape_mismatch(key, *source, current.shape()); !error.empty()) {
        mismatched.push_back(std::move(error));
      } else {
        loaded_hyperparameters[g].insert_or_assign(name, copy_as(*source, float64));
      }
    }
  }
  std::vector<std::vector<nn::StateDict>> loaded_state(groups);
  for (std::size_t g = 0; g < groups; ++g) loaded_state[g].resize(state_[g].size());
  std::vector<bool> has_state(position.size(), false);
  for (const auto& [key, source] : dict) {
    if (key.starts_with(kGroupPrefix)) {
      if (std::ranges::find(expected_group_keys, key) == expected_group_keys.end()) unexpected.push_back(key);
      continue;
    }
    std::size_t index = 0;
    std::string name;
    const StateSlot* slot = nullptr;
    if (parse_state_key(key, index, name) && index < position.size()) {
      for (const StateSlot& s : slots) {
        if (s.name == name) slot = &s;
      }
    }
    if (!slot) {
      unexpected.push_back(key);
      continue;
    }
    has_state[index] = true;
    const auto [g, k] = position[index];
    const Tensor& param = group_parameters(g)[k];
    const Shape expected = slot->per_element ? param.shape() : Shape();
    if (std::string error = detail::shape_mismatch(key, source, expected); !error.empty()) {
      mismatched.push_back(std::move(error));
    } else if (const double count = slot->per_element ? 0.0 : source.item();
               !detail::whole_non_negative(count)) {
      mismatched.push_back(key + ": expected a whole number >= 0, got " + format_number(count));
    } else {
      loaded_state[g][k].insert_or_assign(name, copy_as(source, slot->per_element ? param.dtype() : float64));
    }
  }
  for (std::size_t i = 0; i < position.size(); ++i) {  // a parameter's state is all there or absent
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
