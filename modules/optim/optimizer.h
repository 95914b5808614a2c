// Optimizer: the base class of lucid's optimizers (SGD, Adam, AdamW). It holds the parameters to
// update, the learning rate and each parameter's state, and saves and restores both as a StateDict.
//
//   lucid::optim::AdamW opt(model.parameters(), {.lr = 2e-3});
//   for (...) {
//     opt.zero_grad();
//     loss(model(x), y).backward();
//     opt.step();
//   }
//
// step() updates every parameter that has a gradient in place, outside autograd; parameters whose
// grad() is undefined are skipped, their state untouched (as in PyTorch). One parameter group: all
// parameters share the hyperparameters.
//
// State dict layout (PyTorch's optimizer state, flattened into named tensors; i indexes parameters()):
//   "param_group.<name>"   every hyperparameter (lr, momentum, betas, ...), float64, 0-d (betas: (2,))
//   "state.<i>.<name>"     the per-parameter state (e.g. "state.3.exp_avg", "state.3.step"), present
//                          once parameter i has taken a step; per-element state has the parameter's
//                          shape, counters are 0-d float64 tensors.
#pragma once

#include <string>
#include <vector>

#include "framework/tensor.h"
#include "modules/parameter.h"
#include "modules/state_dict.h"

namespace lucid::optim {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Applies one update to every parameter whose gradient is defined.
  void step();
  // Drops every parameter's gradient (PyTorch's set_to_none=True).
  void zero_grad();

  double lr() const { return lr_; }
  // ValueError when lr is negative, NaN or infinite.
  void set_lr(double lr);
  const std::vector<nn::Parameter>& parameters() const { return parameters_; }
  // "SGD", "Adam", "AdamW".
  const std::string& name() const { return name_; }

  // Hyperparameters and per-parameter state (layout above), copied: later steps do not change the
  // returned dict, and it can be loaded into another optimizer over parameters of the same shapes.
  nn::StateDict state_dict() const;
  // Restores what state_dict() returned. Every hyperparameter must be present and valid, every
  // "state.<i>.<name>" must name a parameter index and a state of this optimizer with the right
  // shape, counters (e.g. Adam's "step") must be whole numbers >= 0, and a parameter's state must be
  // complete. Otherwise ValueError naming each offending key,
  // and the optimizer is unchanged. Per-element state is converted to the parameter's dtype.
  void load_state_dict(const nn::StateDict& dict);

 protected:
  // A per-parameter state tensor: per_element ones have the parameter's shape and dtype, the others
  // are 0-d float64 counters.
  struct StateSlot {
    std::string name;
    bool per_element;
  };

  // Checks the parameter list (non-empty, defined, no tensor twice); ValueError naming `name` otherwise.
  Optimizer(std::string name, std::vector<nn::Parameter> parameters, double lr);

  // One update of `param` from `grad` (same shape and dtype), in place. `state` is the parameter's
  // state: empty before its first step, otherwise holding every slot of state_slots().
  virtual void update(const Tensor& param, const Tensor& grad, nn::StateDict& state) = 0;
  // The names (and kinds) of the per-parameter state tensors.
  virtual std::vector<StateSlot> state_slots() const = 0;
  // The hyperparameters as float64 tensors, lr included, by name ("lr", "momentum", "betas", ...).
  virtual nn::StateDict hyperparameters() const = 0;
  // Adopts values shaped like hyperparameters(); ValueError naming the bad value, and no change, when
  // one is invalid.
  virtual void set_hyperparameters(const nn::StateDict& values) = 0;

  // ValueError "<name>: lr (<lr>) must be non-negative and finite" otherwise.
  void check_lr(double lr) const;
  // Sets the learning rate without checking (after check_lr).
  void assign_lr(double lr) { lr_ = lr; }

 private:
  std::string name_;
  std::vector<nn::Parameter> parameters_;
  std::vector<nn::StateDict> state_;  // state_[i] belongs to parameters_[i]
  double lr_;
};

namespace detail {

// Whether v is a finite number >= 0 (false for NaN and ±inf): what lr and the decay factors must be.
bool non_negative_finite(double v);
// Whether v is a whole number >= 0 (finite): what step counters and epoch counts must be.
bool whole_non_negative(double v);
// A 0-d float64 tensor holding v.
Tensor scalar(double v);
// "name: expected shape (2,), got (3,)" when t is undefined or shaped otherwise; empty when it fits.
std::string shape_mismatch(const std::string& name, const Tensor& t, const Shape& expected);

}  // namespace detail

}  // namespace lucid::optim
