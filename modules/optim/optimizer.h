// Optimizer: the base class of lucid's optimizers (SGD, Adam, AdamW). It holds the parameter groups
// (each with its own hyperparameters, PyTorch's param_groups) and each parameter's state, and saves and
// restores both as a StateDict.
//
//   lucid::optim::AdamW opt(model.parameters(), {.lr = 2e-3});
//   for (...) {
//     opt.zero_grad();
//     loss(model(x), y).backward();
//     opt.step();
//   }
//
//   lucid::optim::SGD sgd(backbone.parameters(), {.lr = 0.1, .momentum = 0.9});
//   sgd.add_param_group(head.parameters(), {.lr = 0.01});    // a second group, its own options
//   sgd.param_groups()[1].options.lr *= 0.5;                 // readable and writable, as in PyTorch
//
// Every optimizer derives from BasicOptimizer<its Options>, which holds the groups. The options of a new
// group are the Options struct passed in whole: fields a designated initializer leaves out take the
// struct's defaults (PyTorch's constructor defaults), not the options this optimizer was made with;
// add_param_group(params) without options, or a copy of defaults() with fields changed, starts from those.
//
// step() updates, group by group, every parameter that has a gradient in place, outside autograd;
// parameters whose grad() is undefined are skipped, their state untouched (as in PyTorch). It first
// checks every group's options (they are writable) and raises ValueError naming the group and value,
// updating nothing, when one is invalid.
//
// State dict layout (PyTorch's optimizer state_dict, flattened into named tensors; i indexes the
// parameters of all groups in order, as parameters() lists them; g indexes the groups):
//   "param_groups.<g>.<name>"  every hyperparameter of group g (lr, momentum, betas, ...), float64, 0-d
//                              (betas: (2,))
//   "param_groups.<g>.params"  the indices i of group g's parameters, int64, 1-D
//   "state.<i>.<name>"         the per-parameter state (e.g. "state.3.exp_avg", "state.3.step"), present
//                              once parameter i has taken a step; per-element state has the parameter's
//                              shape, counters are 0-d float64 tensors.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "framework/tensor.h"
#include "modules/parameter.h"
#include "modules/state_dict.h"

namespace lucid::optim {

class Optimizer {
 public:
  virtual ~Optimizer();  // in optimizer.cc, so that a user's translation unit emits no copy
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Applies one update to every parameter whose gradient is defined (after checking every group).
  void step();
  // Drops every parameter's gradient (PyTorch's set_to_none=True).
  void zero_grad();

  // The number of parameter groups (1 + the add_param_group calls).
  virtual std::size_t param_group_count() const = 0;
  // Group g's learning rate; ValueError when g is out of range.
  double group_lr(std::size_t g) const;
  // Sets group g's lr; ValueError (and no change) for a bad g or an lr that is negative, NaN or infinite.
  void set_group_lr(std::size_t g, double lr);
  // Group 0's lr (the only one without add_param_group).
  double lr() const { return group_lr(0); }
  // Sets every group's lr; ValueError when lr is negative, NaN or infinite.
  void set_lr(double lr);
  // Every group's parameters, group by group (the order of the state dict's indices).
  std::vector<nn::Parameter> parameters() const;
  // "SGD", "Adam", "AdamW".
  const std::string& name() const { return name_; }

  // Hyperparameters and per-parameter state (layout above), copied: later steps do not change the
  // returned dict, and it can be loaded into another optimizer over parameters of the same shapes.
  nn::StateDict state_dict() const;
  // Restores what state_dict() returned. The groups must match this optimizer's: the same number, each
  // listing the same parameter indices; every hyperparameter must be present and valid, every
  // "state.<i>.<name>" must name a parameter index and a state of this optimizer with the right shape,
  // counters (e.g. Adam's "step") must be whole numbers >= 0, and a parameter's state must be complete.
  // Otherwise ValueError naming each offending key, and the optimizer is unchanged. Per-element state
  // is converted to the parameter's dtype.
  void load_state_dict(const nn::StateDict& dict);

 protected:
  // A per-parameter state tensor: per_element ones have the parameter's shape and dtype, the others
  // are 0-d float64 counters.
  struct StateSlot {
    std::string name;
    bool per_element;
  };

  explicit Optimizer(std::string name) : name_(std::move(name)) {}

  // Checks a new group's parameters (non-empty, defined, no tensor twice, none in an existing group);
  // ValueError naming `name` otherwise. Then adds their (empty) state slots.
  void add_group_state(const std::vector<nn::Parameter>& parameters);

  // Group g's parameters.
  virtual const std::vector<nn::Parameter>& group_parameters(std::size_t g) const = 0;
  // Raises ValueError naming the value when group g's options are invalid.
  virtual void check_group(std::size_t g) const = 0;
  // One update of `param` (in group g) from `grad` (same shape and dtype), in place. `state` is the
  // parameter's state: empty before its first step, otherwise holding every slot of state_slots().
  virtual void update(const Tensor& param, const Tensor& grad, nn::StateDict& state, std::size_t g) = 0;
  // The names (and kinds) of the per-parameter state tensors.
  virtual std::vector<StateSlot> state_slots() const = 0;
  // Group g's hyperparameters as float64 tensors, lr included, by name ("lr", "momentum", "betas", ...).
  virtual nn::StateDict hyperparameters(std::size_t g) const = 0;
  // Adopts one set of values shaped like hyperparameters(g) per group; ValueError naming the group and
  // the bad value, and no change, when one is invalid.
  virtual void set_hyperparameters(const std::vector<nn::StateDict>& values) = 0;
  // Group g's lr, read and written without checks (the callers check g and, for writes, check_lr).
  virtual double lr_of(std::size_t g) const = 0;
  virtual void assign_lr(std::size_t g, double lr) = 0;

  // ValueError "<name>: lr (<lr>) must be non-negative and finite" otherwise.
  void check_lr(double lr) const;

 private:
  void check_group_index(std::size_t g) const;

  std::string name_;
  std::vector<std::vector<nn::StateDict>> state_;  // state_[g][k] belongs to group g's parameter k
};

// The optimizers' common part that depends on their Options type: the groups themselves.
// Options must have a `double lr` field; validate_options(const Optimizer&, const Options&) (found by
// argument-dependent lookup) checks every field but lr.
template <typename Options>
class BasicOptimizer : public Optimizer {
 public:
  struct ParamGroup {
    const std::vector<nn::Parameter> params;  // fixed: the state is laid out by them
    Options options;                          // writable; step() checks it
  };

  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  // The options the optimizer was made with (PyTorch's `defaults`).
  const Options& defaults() const { return defaults_; }
  // Group 0's current options (the only group without add_param_group).
  const Options& options() const { return groups_.front().options; }

  // Adds a group with these options (the file's opening comment says how unnamed fields are filled). ValueError,
  // nothing added, for an invalid option, an empty list, an undefined parameter, or a parameter that is
  // in this list twice or already in a group.
  void add_param_group(std::vector<nn::Parameter> params, const Options& options) {
    check_lr(options.lr);
    validate_options(*this, options);
    add_group_state(params);
    groups_.push_back(ParamGroup{std::move(params), options});
  }
  void add_param_group(std::vector<nn::Parameter> params) { add_param_group(std::move(params), defaults_); }

  std::size_t param_group_count() const override { return groups_.size(); }

 protected:
  BasicOptimizer(std::string name, std::vector<nn::Parameter> params, const Options& options)
      : Optimizer(std::move(name)), defaults_(options) {
    add_param_group(std::move(params), options);
  }

  const std::vector<nn::Parameter>& group_parameters(std::size_t g) const override { return groups_[g].params; }
  void check_group(std::size_t g) const override {
    try {
      check_lr(groups_[g].options.lr);
      validate_options(*this, groups_[g].options);
    } catch (const ValueError& e) {
      throw ValueError("param group " + std::to_string(g) + ": " + e.what());
    }
  }
  double lr_of(std::size_t g) const override { return groups_[g].options.lr; }
  void assign_lr(std::size_t g, double lr) override { groups_[g].options.lr = lr; }
  // Parses each group's values (options_from), checks all, then adopts all.
  void set_hyperparameters(const std::vector<nn::StateDict>& values) override {
    std::vector<Options> parsed;
    for (std::size_t g = 0; g < values.size(); ++g) {
      parsed.push_back(options_from(values[g]));
      try {
        check_lr(parsed.back().lr);
        validate_options(*this, parsed.back());
      } catch (const ValueError& e) {
        throw ValueError("param group " + std::to_string(g) + ": " + e.what());
      }
    }
    for (std::size_t g = 0; g < values.size(); ++g) groups_[g].options = parsed[g];
  }
  // Options from values shaped like hyperparameters(g) (not checked).
  virtual Options options_from(const nn::StateDict& values) const = 0;

 private:
  Options defaults_;
  std::vector<ParamGroup> groups_;
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
