// Optimizers (SGD, Adam, AdamW): every step against PyTorch (tests/golden/optim_steps.json, written by
// make_optim_golden.py with torch.optim in float64), state_dict save/load and its error paths,
// hyperparameter validation, skipped parameters, zero_grad.
//
// Tolerances: float64 1e-12 relative (the same formulas in the same order; FMA contraction in PyTorch's
// kernels may change the last bits). float32 starts from the float64 values rounded to float32 and
// rounds every operation: 1e-5 relative plus 1e-6 absolute over six steps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/test_util.h"

namespace {

namespace golden = lucid::test::golden;
using lucid::DType;
using lucid::Tensor;
using lucid::ValueError;
using lucid::nn::Parameter;
using lucid::nn::StateDict;
using lucid::optim::Adam;
using lucid::optim::AdamOptions;
using lucid::optim::AdamW;
using lucid::optim::AdamWOptions;
using lucid::optim::Optimizer;
using lucid::optim::SGD;
using lucid::optim::SGDOptions;
using lucid::test::error_message;
using ::testing::HasSubstr;

const std::vector<golden::Case>& optimizer_cases() {
  static const std::vector<golden::Case> all = golden::load("optim_steps.json");
  return all;
}

// The optimizer a golden case describes; options it does not list keep lucid's defaults, which must
// therefore equal PyTorch's.
std::unique_ptr<Optimizer> make_optimizer(const golden::Case& c, std::vector<Parameter> params) {
  const nlohmann::json& a = c.attrs;
  auto get = [&a](const char* key, double fallback) { return a.contains(key) ? a.at(key).get<double>() : fallback; };
  const std::string kind = a.at("optimizer").get<std::string>();
  if (kind == "SGD") {
    const SGDOptions d;
    return std::make_unique<SGD>(params,
                                 SGDOptions{.lr = get("lr", d.lr),
                                            .momentum = get("momentum", d.momentum),
                                            .dampening = get("dampening", d.dampening),
                                            .weight_decay = get("weight_decay", d.weight_decay),
                                            .nesterov = a.contains("nesterov") && a.at("nesterov").get<bool>()});
  }
  const AdamOptions da;
  const AdamWOptions dw;
  const std::array<double, 2> betas =
      a.contains("betas") ? std::array<double, 2>{a.at("betas")[0].get<double>(), a.at("betas")[1].get<double>()}
                          : da.betas;
  if (kind == "Adam") {
    return std::make_unique<Adam>(params, AdamOptions{.lr = get("lr", da.lr),
                                                      .betas = betas,
                                                      .eps = get("eps", da.eps),
                                                      .weight_decay = get("weight_decay", da.weight_decay)});
  }
  EXPECT_EQ(kind, "AdamW");
  return std::make_unique<AdamW>(params, AdamWOptions{.lr = get("lr", dw.lr),
                                                      .betas = betas,
                                                      .eps = get("eps", dw.eps),
                                                      .weight_decay = get("weight_decay", dw.weight_decay)});
}

struct Precision {
  DType dtype;
  double rtol;
  double atol;
  const char* suffix;
};

void PrintTo(const Precision& p, std::ostream* os) { *os << p.suffix; }

constexpr Precision kFloat64{lucid::float64, 1e-12, 0.0, "f64"};
constexpr Precision kFloat32{lucid::float32, 1e-5, 1e-6, "f32"};

using ParityParam = std::tuple<std::size_t, Precision>;

class OptimParity : public ::testing::TestWithParam<ParityParam> {};

TEST_P(OptimParity, EveryStepMatchesPyTorch) {
  const golden::Case& c = optimizer_cases()[std::get<0>(GetParam())];
  const Precision& p = std::get<1>(GetParam());
  Parameter w(c.tensor("w0", p.dtype).clone()), b(c.tensor("b0", p.dtype).clone());
  const std::unique_ptr<Optimizer> opt = make_optimizer(c, {w, b});
  const auto steps = c.attrs.at("steps").get<int>();
  for (int k = 1; k <= steps; ++k) {
    const std::string s = std::to_string(k);
    w.set_grad(c.tensor("grad_w_" + s, p.dtype));
    b.set_grad(c.has("grad_b_" + s) ? c.tensor("grad_b_" + s, p.dtype) : Tensor());
    opt->step();
    ASSERT_EQ(w.dtype(), p.dtype);
    EXPECT_TRUE(golden::all_close(w, c.tensor("w_" + s), p.rtol, p.atol)) << "w after step " << k;
    EXPECT_TRUE(golden::all_close(b, c.tensor("b_" + s), p.rtol, p.atol)) << "b after step " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, OptimParity,
                         ::testing::Combine(::testing::ValuesIn(golden::case_indices(optimizer_cases())),
                                            ::testing::Values(kFloat64, kFloat32)),
                         [](const ::testing::TestParamInfo<ParityParam>& param_info) {
                           return optimizer_cases()[std::get<0>(param_info.param)].name + "_" +
                                  std::get<1>(param_info.param).suffix;
                         });

// The golden file holds the settings it promises, and the skipped step really leaves b unchanged.
TEST(OptimParityFile, CoversTheSettings) {
  std::set<std::string> seen;
  for (const golden::Case& c : optimizer_cases()) {
    const nlohmann::json& a = c.attrs;
    const std::string kind = a.at("optimizer").get<std::string>();
    seen.insert(kind);
    if (a.contains("momentum")) seen.insert(kind + " momentum");
    if (a.contains("dampening")) seen.insert(kind + " dampening");
    if (a.contains("nesterov")) seen.insert(kind + " nesterov");
    if (a.contains("weight_decay")) seen.insert(kind + " weight_decay");
    if (a.contains("betas")) seen.insert(kind + " betas");
    const std::string skip = std::to_string(a.at("skip").get<int>());
    EXPECT_FALSE(c.has("grad_b_" + skip)) << c.name;
    EXPECT_TRUE(golden::all_close(c.tensor("b_" + skip), c.tensor("b_" + std::to_string(a.at("skip").get<int>() - 1)),
                                  0.0, 0.0))
        << c.name;
  }
  EXPECT_EQ(seen,
            (std::set<std::string>{"SGD", "SGD momentum", "SGD dampening", "SGD nesterov", "SGD weight_decay", "Adam",
                                   "Adam betas", "Adam weight_decay", "AdamW", "AdamW betas", "AdamW weight_decay"}));
}

// ---- state_dict / load_state_dict ----

// Two float64 parameters, w (3, 2) and b (4,), with values fixed by seed.
std::vector<Parameter> make_parameters(std::uint64_t seed) {
  lucid::manual_seed(seed);
  return {Parameter(lucid::randn({3, 2}, lucid::float64)), Parameter(lucid::randn({4}, lucid::float64))};
}

// Copies of params' values, as new parameters.
std::vector<Parameter> copy_parameters(const std::vector<Parameter>& params) {
  std::vector<Parameter> out;
  for (const Parameter& p : params) out.emplace_back(p.clone());
  return out;
}

// Gives every parameter listed in `with_grad` a gradient fixed by (seed, step), the others none.
void set_grads(const std::vector<Parameter>& params, int step, const std::vector<bool>& with_grad) {
  lucid::manual_seed(1000 + static_cast<std::uint64_t>(step));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Tensor g = lucid::randn(params[i].shape(), params[i].dtype());
    params[i].set_grad(with_grad[i] ? g : Tensor());
  }
}

using Factory = std::function<std::unique_ptr<Optimizer>(std::vector<Parameter>, double lr)>;

struct OptimizerKind {
  std::string name;
  Factory make;
};

void PrintTo(const OptimizerKind& k, std::ostream* os) { *os << k.name; }

const std::vector<OptimizerKind>& kinds() {
  static const std::vector<OptimizerKind> all = {
      {"SGD", [](std::vector<Parameter> p, double lr) { return std::make_unique<SGD>(p, SGDOptions{.lr = lr}); }},
      {"SGDNesterov",
       [](std::vector<Parameter> p, double lr) {
         return std::make_unique<SGD>(p, SGDOptions{.lr = lr, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
       }},
      {"Adam", [](std::vector<Parameter> p,
                  double lr) { return std::make_unique<Adam>(p, AdamOptions{.lr = lr, .weight_decay = 0.01}); }},
      {"AdamW",
       [](std::vector<Parameter> p, double lr) {
         return std::make_unique<AdamW>(p, AdamWOptions{.lr = lr, .betas = {0.8, 0.99}});
       }},
  };
  return all;
}

// Every entry of a state dict, by name, as values (for "unchanged" checks).
std::vector<std::pair<std::string, std::vector<double>>> values(const StateDict& dict) {
  std::vector<std::pair<std::string, std::vector<double>>> out;
  for (const auto& [name, t] : dict) out.emplace_back(name, t.to_vector<double>());
  return out;
}

std::vector<std::string> keys(const StateDict& dict) {
  std::vector<std::string> out;
  for (const auto& [name, t] : dict) out.push_back(name);
  return out;
}

// dict with `key` set to value (added or replaced); the other entries shared.
StateDict with(const StateDict& dict, const std::string& key, const Tensor& value) {
  StateDict out;
  for (const auto& [name, t] : dict) out.insert_or_assign(name, t);
  out.insert_or_assign(key, value);
  return out;
}

StateDict without(const StateDict& dict, const std::string& key) {
  StateDict out;
  for (const auto& [name, t] : dict) {
    if (name != key) out.insert_or_assign(name, t);
  }
  return out;
}

class OptimizerState : public ::testing::TestWithParam<OptimizerKind> {};

// Save after three steps (b without gradient so far: no state for it), load into a new optimizer over
// copies of the parameters made with another lr, continue both: the runs agree to the bit.
TEST_P(OptimizerState, ResumedRunMatchesUninterruptedRun) {
  const std::vector<Parameter> params = make_parameters(1);
  const std::unique_ptr<Optimizer> original = GetParam().make(params, 0.05);
  for (int k = 1; k <= 3; ++k) {
    set_grads(params, k, {true, false});
    original->step();
  }
  const StateDict saved = original->state_dict();
  const std::vector<Parameter> resumed_params = copy_parameters(params);
  const std::unique_ptr<Optimizer> resumed = GetParam().make(resumed_params, 0.7);
  resumed->load_state_dict(saved);
  EXPECT_EQ(resumed->lr(), 0.05);
  for (int k = 4; k <= 7; ++k) {
    set_grads(params, k, {true, k != 5});
    set_grads(resumed_params, k, {true, k != 5});
    original->step();
    resumed->step();
    for (std::size_t i = 0; i < params.size(); ++i) {
      EXPECT_EQ(resumed_params[i].to_vector<double>(), params[i].to_vector<double>())
          << "parameter " << i << ", step " << k;
    }
  }
  EXPECT_EQ(values(resumed->state_dict()), values(original->state_dict()));
}

// Later steps do not write into a dict already returned.
TEST_P(OptimizerState, StateDictIsASnapshot) {
  const std::vector<Parameter> params = make_parameters(2);
  const std::unique_ptr<Optimizer> opt = GetParam().make(params, 0.1);
  set_grads(params, 1, {true, true});
  opt->step();
  const StateDict dict = opt->state_dict();
  const auto before = values(dict);
  set_grads(params, 2, {true, true});
  opt->step();
  EXPECT_EQ(values(dict), before);
  if (dict.size() > 6) {  // SGD without momentum keeps no state; the others' state did move
    EXPECT_NE(values(opt->state_dict()), before);
  }
}

// Each corrupted dict is refused with a message naming the key, and the optimizer keeps its lr,
// hyperparameters and state (checked by its state_dict and by its next step).
TEST_P(OptimizerState, FailedLoadNamesTheKeyAndChangesNothing) {
  const std::vector<Parameter> source_params = make_parameters(3);
  const std::unique_ptr<Optimizer> source = GetParam().make(source_params, 0.2);
  set_grads(source_params, 1, {true, true});
  source->step();
  const StateDict good = source->state_dict();
  const bool has_state = good.contains("state.0.momentum_buffer") || good.contains("state.0.exp_avg");
  const std::string slot = good.contains("state.0.exp_avg") ? "exp_avg" : "momentum_buffer";

  std::vector<std::pair<StateDict, std::string>> corrupted = {
      {without(good, "param_groups.0.lr"), "param_groups.0.lr"},
      {with(good, "param_groups.0.lr", lucid::scalar_tensor(-1.0, lucid::float64)), "lr (-1)"},
      {with(good, "param_groups.0.lr", lucid::zeros({2}, lucid::float64)), "param_groups.0.lr: expected shape ()"},
      {with(good, "param_groups.0.bogus", lucid::scalar_tensor(1.0, lucid::float64)), "param_groups.0.bogus"},
      {with(good, "state.0.bogus", lucid::zeros({3, 2}, lucid::float64)), "state.0.bogus"},
      {with(good, "state.2." + slot, lucid::zeros({4}, lucid::float64)), "state.2." + slot},
      {with(good, "state.01." + slot, lucid::zeros({3, 2}, lucid::float64)), "state.01." + slot},
      {with(good, "state." + slot, lucid::zeros({3, 2}, lucid::float64)), "state." + slot},
      {with(good, "state.1." + slot, lucid::zeros({3, 2}, lucid::float64)),
       "state.1." + slot + ": expected shape (4,), got (3, 2)"},
      {with(good, "state.1." + slot, Tensor()), "state.1." + slot + ": expected shape (4,), got an undefined tensor"},
  };
  if (has_state && slot == "exp_avg") {
    corrupted.emplace_back(without(good, "state.1.exp_avg_sq"), "Missing keys: state.1.exp_avg_sq");
    corrupted.emplace_back(with(good, "state.0.step", lucid::zeros({1}, lucid::float64)), "state.0.step");
    corrupted.emplace_back(with(good, "param_groups.0.betas", lucid::tensor(std::vector<double>{0.9, 1.0}, {2})),
                           "betas[1] (1)");
  }

  const std::vector<Parameter> params = make_parameters(4);
  const std::unique_ptr<Optimizer> target = GetParam().make(params, 0.3);
  set_grads(params, 2, {true, false});
  target->step();
  const auto target_state = values(target->state_dict());
  for (const auto& [dict, part] : corrupted) {
    const std::string msg = error_message<ValueError>([&] { target->load_state_dict(dict); });
    EXPECT_THAT(msg, HasSubstr(part));
    EXPECT_THAT(msg, HasSubstr("the optimizer is unchanged"));
    EXPECT_EQ(values(target->state_dict()), target_state) << part;
    EXPECT_EQ(target->lr(), 0.3);
  }
  // The next step is the one an untouched twin takes.
  const std::vector<Parameter> twin_params = make_parameters(4);
  const std::unique_ptr<Optimizer> twin = GetParam().make(twin_params, 0.3);
  set_grads(twin_params, 2, {true, false});
  twin->step();
  set_grads(params, 3, {true, true});
  set_grads(twin_params, 3, {true, true});
  target->step();
  twin->step();
  for (std::size_t i = 0; i < params.size(); ++i)
    EXPECT_EQ(params[i].to_vector<double>(), twin_params[i].to_vector<double>());
}

// A parameter without gradient is neither changed nor given state; the others move.
TEST_P(OptimizerState, ParametersWithoutGradAreSkipped) {
  const std::vector<Parameter> params = make_parameters(5);
  const std::vector<double> w_before = params[0].to_vector<double>(), b_before = params[1].to_vector<double>();
  const std::unique_ptr<Optimizer> opt = GetParam().make(params, 0.1);
  set_grads(params, 1, {false, true});
  opt->step();
  opt->step();
  EXPECT_EQ(params[0].to_vector<double>(), w_before);
  EXPECT_NE(params[1].to_vector<double>(), b_before);
  for (const std::string& key : keys(opt->state_dict())) EXPECT_FALSE(key.starts_with("state.0.")) << key;
  EXPECT_TRUE(params[0].is_leaf() && params[1].is_leaf());
  EXPECT_FALSE(params[1].grad_fn());
}

INSTANTIATE_TEST_SUITE_P(Kinds, OptimizerState, ::testing::ValuesIn(kinds()), lucid::test::ParamName());

TEST(OptimizerStateDict, NamesStateAndHyperparametersLikePyTorch) {
  const std::vector<Parameter> params = make_parameters(6);
  Adam adam(params, {.lr = 0.01, .betas = {0.8, 0.9}, .eps = 1e-6, .weight_decay = 0.5});
  EXPECT_EQ(keys(adam.state_dict()),
            (std::vector<std::string>{"param_groups.0.lr", "param_groups.0.betas", "param_groups.0.eps",
                                      "param_groups.0.weight_decay", "param_groups.0.params"}));
  set_grads(params, 1, {false, true});
  adam.step();
  adam.step();
  const StateDict dict = adam.state_dict();
  EXPECT_EQ(keys(dict),
            (std::vector<std::string>{"state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq", "param_groups.0.lr",
                                      "param_groups.0.betas", "param_groups.0.eps", "param_groups.0.weight_decay",
                                      "param_groups.0.params"}));
  EXPECT_EQ(dict.at("state.1.step").shape(), lucid::Shape());
  EXPECT_EQ(dict.at("state.1.step").dtype(), lucid::float64);
  EXPECT_EQ(dict.at("state.1.step").item(), 2.0);
  EXPECT_EQ(dict.at("state.1.exp_avg").shape(), lucid::Shape({4}));
  EXPECT_EQ(dict.at("param_groups.0.betas").to_vector<double>(), (std::vector<double>{0.8, 0.9}));
  EXPECT_EQ(dict.at("param_groups.0.weight_decay").item(), 0.5);

  SGD sgd(params, {.lr = 0.1, .momentum = 0.5, .dampening = 0.25});
  sgd.step();
  EXPECT_EQ(keys(sgd.state_dict()),
            (std::vector<std::string>{"state.1.momentum_buffer", "param_groups.0.lr", "param_groups.0.momentum",
                                      "param_groups.0.dampening", "param_groups.0.weight_decay",
                                      "param_groups.0.nesterov", "param_groups.0.params"}));
  EXPECT_EQ(sgd.state_dict().at("param_groups.0.dampening").item(), 0.25);
}

// Loading restores every hyperparameter (PyTorch overwrites the param group), not only the state.
TEST(OptimizerStateDict, LoadRestoresHyperparameters) {
  const std::vector<Parameter> params = make_parameters(7);
  SGD saved(params, {.lr = 0.2, .momentum = 0.9, .weight_decay = 0.1, .nesterov = true});
  SGD loaded(params, {.lr = 1.0, .dampening = 0.5});
  loaded.load_state_dict(saved.state_dict());
  const SGDOptions o = loaded.options();
  EXPECT_EQ(o.lr, 0.2);
  EXPECT_EQ(o.momentum, 0.9);
  EXPECT_EQ(o.dampening, 0.0);
  EXPECT_EQ(o.weight_decay, 0.1);
  EXPECT_TRUE(o.nesterov);

  AdamW adamw_saved(params, {.lr = 0.03, .betas = {0.5, 0.6}, .eps = 1e-3, .weight_decay = 0.0});
  AdamW adamw(params);
  adamw.load_state_dict(adamw_saved.state_dict());
  const AdamWOptions a = adamw.options();
  EXPECT_EQ(a.lr, 0.03);
  EXPECT_EQ(a.betas, (std::array<double, 2>{0.5, 0.6}));
  EXPECT_EQ(a.eps, 1e-3);
  EXPECT_EQ(a.weight_decay, 0.0);
}

// State saved from float64 parameters loads into float32 ones (converted), and the loaded copy does
// not share storage with the dict.
TEST(OptimizerStateDict, LoadConvertsStateToTheParameterDtype) {
  const std::vector<Parameter> params = make_parameters(8);
  Adam source(params);
  set_grads(params, 1, {true, true});
  source.step();
  StateDict dict = source.state_dict();
  std::vector<Parameter> f32 = {Parameter(params[0].to(lucid::float32)), Parameter(params[1].to(lucid::float32))};
  Adam target(f32);
  target.load_state_dict(dict);
  const StateDict loaded = target.state_dict();
  EXPECT_EQ(loaded.at("state.0.exp_avg").dtype(), lucid::float32);
  EXPECT_EQ(loaded.at("state.0.step").dtype(), lucid::float64);
  EXPECT_TRUE(golden::all_close(loaded.at("state.0.exp_avg"), dict.at("state.0.exp_avg"), 1e-6, 0.0));
  Tensor(dict.at("state.1.exp_avg_sq")).fill_(123.0);
  EXPECT_NE(target.state_dict().at("state.1.exp_avg_sq").to_vector<double>()[0], 123.0);
}

// ---- construction, hyperparameters, gradients ----

TEST(OptimizerOptions, InvalidHyperparametersNameTheirValues) {
  const std::vector<Parameter> p = make_parameters(9);
  using lucid::test::contains;
  EXPECT_TRUE(
      contains(error_message<ValueError>([&] { SGD(p, {.lr = -0.1}); }), "SGD: lr (-0.1) must be non-negative"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { SGD(p, {.lr = NAN}); }), "lr (nan)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { SGD(p, {.momentum = -0.5}); }), "momentum (-0.5)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { SGD(p, {.weight_decay = -1e-4}); }), "weight_decay (-1e-04)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { SGD(p, {.nesterov = true}); }),
                       "nesterov needs momentum > 0 and dampening = 0, got momentum 0 and dampening 0"));
  EXPECT_TRUE(
      contains(error_message<ValueError>([&] { SGD(p, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}); }),
               "got momentum 0.9 and dampening 0.1"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { Adam(p, {.lr = -1.0}); }), "Adam: lr (-1)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] {
                         Adam(p, {.betas = {1.0, 0.999}});
                       }),
                       "Adam: betas[0] (1) must lie in [0, 1)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { Adam(p, {.betas = {0.9, -0.1}}); }), "betas[1] (-0.1)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { Adam(p, {.eps = -1e-8}); }), "Adam: eps (-1e-08)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { Adam(p, {.weight_decay = -0.5}); }), "weight_decay (-0.5)"));
  EXPECT_TRUE(
      contains(error_message<ValueError>([&] { AdamW(p, {.weight_decay = -0.5}); }), "AdamW: weight_decay (-0.5)"));
  EXPECT_TRUE(contains(error_message<ValueError>([&] { AdamW(p, {.betas = {0.9, 1.5}}); }), "AdamW: betas[1] (1.5)"));
  // Boundary values are accepted.
  EXPECT_NO_THROW(SGD(p, {.lr = 0.0, .momentum = 0.5, .nesterov = true}));
  EXPECT_NO_THROW(Adam(p, {.lr = 0.0, .betas = {0.0, 0.0}, .eps = 0.0}));
}

TEST(OptimizerOptions, ParameterListIsChecked) {
  const std::vector<Parameter> p = make_parameters(10);
  EXPECT_THAT(error_message<ValueError>([] { SGD({}, {.lr = 0.1}); }), HasSubstr("SGD: got an empty parameter list"));
  EXPECT_THAT(error_message<ValueError>([&] {
                Adam({p[0], Parameter()});
              }),
              HasSubstr("Adam: parameter 1 is undefined"));
  EXPECT_THAT(error_message<ValueError>([&] {
                AdamW({p[0], p[1], p[0]});
              }),
              HasSubstr("AdamW: parameter 2 is the same tensor as parameter 0"));
}

TEST(OptimizerOptions, DefaultsFollowPyTorch) {
  const std::vector<Parameter> p = make_parameters(11);
  const AdamOptions adam = Adam(p).options();
  EXPECT_EQ(adam.lr, 1e-3);
  EXPECT_EQ(adam.betas, (std::array<double, 2>{0.9, 0.999}));
  EXPECT_EQ(adam.eps, 1e-8);
  EXPECT_EQ(adam.weight_decay, 0.0);
  EXPECT_EQ(AdamW(p).options().weight_decay, 1e-2);
  const SGDOptions sgd = SGD(p).options();
  EXPECT_EQ(sgd.momentum, 0.0);
  EXPECT_FALSE(sgd.nesterov);
}

TEST(OptimizerOptions, SetLrChangesTheNextStepAndRejectsNegativeValues) {
  const std::vector<Parameter> p = make_parameters(12);
  const double w0 = p[0].to_vector<double>()[0];
  SGD sgd(p, {.lr = 0.1});
  sgd.set_lr(0.25);
  EXPECT_EQ(sgd.options().lr, 0.25);
  EXPECT_THAT(error_message<ValueError>([&] { sgd.set_lr(-0.5); }), HasSubstr("lr (-0.5)"));
  EXPECT_EQ(sgd.lr(), 0.25);
  p[0].set_grad(lucid::ones({3, 2}, lucid::float64));
  sgd.step();
  EXPECT_EQ(p[0].to_vector<double>()[0], w0 - 0.25);
}

TEST(OptimizerGrad, ZeroGradDropsEveryGradient) {
  const std::vector<Parameter> p = make_parameters(13);
  Adam adam(p);
  set_grads(p, 1, {true, true});
  adam.zero_grad();
  EXPECT_FALSE(p[0].grad().defined());
  EXPECT_FALSE(p[1].grad().defined());
  const std::vector<double> before = p[0].to_vector<double>();
  adam.step();  // nothing to do
  EXPECT_EQ(p[0].to_vector<double>(), before);
  EXPECT_EQ(adam.state_dict().size(), 5u);  // hyperparameters and the group's indices only
}

// End to end with a module and autograd: Adam and SGD drive a linear model onto a least-squares
// target; the optimizer updates the module's own parameters (shared storage).
TEST(OptimizerTraining, FitsALinearModel) {
  lucid::manual_seed(14);
  const Tensor x = lucid::randn({32, 3}, lucid::float64);
  const Tensor true_w = lucid::tensor(std::vector<double>{1.5, -2.0, 0.5}, {3, 1});
  const Tensor y = x.matmul(true_w) + 0.25;
  for (int kind = 0; kind < 2; ++kind) {
    lucid::nn::Linear model(3, 1, {.dtype = lucid::float64});
    std::unique_ptr<Optimizer> opt;
    if (kind == 0)
      opt = std::make_unique<Adam>(model.parameters(), AdamOptions{.lr = 0.05});
    else
      opt = std::make_unique<SGD>(model.parameters(), SGDOptions{.lr = 0.05, .momentum = 0.9});
    for (int step = 0; step < 400; ++step) {
      opt->zero_grad();
      const Tensor diff = model(x) - y;
      (diff * diff).mean().backward();
      opt->step();
    }
    lucid::test::expect_values_near(model.weight, {1, 3}, {1.5, -2.0, 0.5}, 1e-3);
    lucid::test::expect_values_near(model.bias, {1}, {0.25}, 1e-3);
  }
}

}  // namespace
