// Optimizer parameter groups: a two-group SGD / Adam / AdamW run, with a scheduler acting per group,
// against PyTorch step by step (tests/golden/optim_param_groups.json, make_optim_golden.py, float64),
// the state_dict in PyTorch's layout (indices across groups), options readable and writable per group,
// PyTorch's rule for a new group's unspecified options (start from defaults()), and the errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using ::testing::HasSubstr;
using nn::Parameter;

const std::vector<golden::Case>& group_cases() {
  static const std::vector<golden::Case> all = golden::load("optim_param_groups.json");
  return all;
}

// o with the fields a golden options object names (PyTorch's keys) set from it.
template <typename Options>
Options with_fields(Options o, const nlohmann::json& fields) {
  for (const auto& [key, value] : fields.items()) {
    if (key == "lr") o.lr = golden::number(value);
    if (key == "weight_decay") o.weight_decay = golden::number(value);
    if constexpr (requires { o.momentum; }) {
      if (key == "momentum") o.momentum = golden::number(value);
      if (key == "dampening") o.dampening = golden::number(value);
      if (key == "nesterov") o.nesterov = value == true;
    } else {
      if (key == "betas") o.betas = {golden::number(value[0]), golden::number(value[1])};
      if (key == "eps") o.eps = golden::number(value);
    }
  }
  return o;
}

// The case's optimizer over [w], then [b, c] added with the group's options on top of defaults()
// (PyTorch's rule for options a group does not name).
template <typename Opt, typename Options>
std::unique_ptr<optim::Optimizer> make_grouped(const golden::Case& c, const std::vector<Parameter>& p) {
  auto opt = std::make_unique<Opt>(std::vector<Parameter>{p[0]}, with_fields(Options{}, c.attrs.at("options")));
  opt->add_param_group({p[1], p[2]}, with_fields(opt->defaults(), c.attrs.at("group_options")));
  return opt;
}

std::unique_ptr<optim::Optimizer> make_grouped(const golden::Case& c, const std::vector<Parameter>& p) {
  const std::string kind = c.attrs.at("optimizer").get<std::string>();
  if (kind == "SGD") return make_grouped<optim::SGD, optim::SGDOptions>(c, p);
  if (kind == "Adam") return make_grouped<optim::Adam, optim::AdamOptions>(c, p);
  EXPECT_EQ(kind, "AdamW");
  return make_grouped<optim::AdamW, optim::AdamWOptions>(c, p);
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const golden::Case& c, optim::Optimizer& opt) {
  if (!c.attrs.contains("scheduler")) return nullptr;
  const nlohmann::json& o = c.attrs.at("scheduler_options");
  if (c.attrs.at("scheduler") == "StepLR") {
    return std::make_unique<optim::StepLR>(opt, o.at("step_size").get<std::int64_t>(), o.at("gamma").get<double>());
  }
  return std::make_unique<optim::CosineAnnealingLR>(opt, o.at("T_max").get<std::int64_t>(),
                                                    o.at("eta_min").get<double>());
}

class ParamGroupParity : public ::testing::TestWithParam<std::size_t> {};

// Tolerance 1e-12 relative: the same formulas in the same order as PyTorch, in float64.
TEST_P(ParamGroupParity, EveryStepAndTheFinalStateMatchPyTorch) {
  const golden::Case& c = group_cases()[GetParam()];
  const char* names[] = {"w", "b", "c"};
  std::vector<Parameter> params;
  for (const char* n : names) params.emplace_back(c.tensor(std::string(n) + "0").clone());
  const std::unique_ptr<optim::Optimizer> opt = make_grouped(c, params);
  const std::unique_ptr<optim::LRScheduler> schedule = make_scheduler(c, *opt);
  for (int k = 1; k <= c.attrs.at("steps").get<int>(); ++k) {
    const std::string s = std::to_string(k);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const std::string grad = "grad_" + std::string(names[i]) + "_" + s;
      params[i].set_grad(c.has(grad) ? c.tensor(grad) : Tensor());
    }
    opt->step();
    if (schedule) schedule->step();
    for (std::size_t i = 0; i < params.size(); ++i) {
      EXPECT_TRUE(golden::all_close(params[i], c.tensor(std::string(names[i]) + "_" + s), 1e-12, 0.0))
          << names[i] << " after step " << k;
    }
    const std::vector<double> lrs = c.tensor("lr_" + s).to_vector<double>();
    EXPECT_EQ(opt->group_lr(0), lrs[0]) << "step " << k;
    EXPECT_EQ(opt->group_lr(1), lrs[1]) << "step " << k;
  }
  const nn::StateDict dict = opt->state_dict();
  const auto groups = c.attrs.at("params").get<std::vector<std::vector<std::int64_t>>>();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    EXPECT_EQ(dict.at("param_groups." + std::to_string(g) + ".params").to_vector<std::int64_t>(), groups[g]);
  }
  for (const auto& [key, value] : c.tensors) {
    if (!key.starts_with("state_")) continue;  // state_<i>_<name> → "state.<i>.<name>"
    const std::string rest = key.substr(6);
    const std::string name = "state." + rest.substr(0, rest.find('_')) + "." + rest.substr(rest.find('_') + 1);
    ASSERT_TRUE(dict.contains(name)) << name;
    EXPECT_TRUE(golden::all_close(dict.at(name), value, 1e-12, 1e-300)) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, ParamGroupParity, ::testing::ValuesIn(golden::case_indices(group_cases())),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           return group_cases()[param_info.param].name;
                         });

std::vector<Parameter> fresh(std::size_t n) {
  std::vector<Parameter> out;
  for (std::size_t i = 0; i < n; ++i) out.emplace_back(ones({2}, float64) * static_cast<double>(i + 1));
  return out;
}

TEST(ParamGroups, OptionsAreReadableAndWritablePerGroup) {
  const std::vector<Parameter> p = fresh(3);
  optim::SGD opt({p[0]}, {.lr = 0.1, .momentum = 0.9});
  opt.add_param_group({p[1], p[2]}, {.lr = 0.01});
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.param_groups()[1].options.lr, 0.01);
  EXPECT_EQ(opt.param_groups()[1].options.momentum, 0.0);  // the struct's default, not the optimizer's
  EXPECT_EQ(opt.param_groups()[1].params.size(), 2u);
  EXPECT_EQ(opt.parameters().size(), 3u);
  opt.param_groups()[1].options.lr = 0.5;
  p[1].set_grad(ones({2}, float64));
  opt.step();
  EXPECT_EQ(p[1].to_vector<double>(), (std::vector<double>{1.5, 1.5}));  // 2 − 0.5·1
  opt.set_lr(0.2);  // every group
  EXPECT_EQ(opt.group_lr(0), 0.2);
  EXPECT_EQ(opt.group_lr(1), 0.2);
  opt.set_group_lr(1, 0.3);
  EXPECT_EQ(opt.param_groups()[1].options.lr, 0.3);
}

TEST(ParamGroups, AGroupWithoutOptionsTakesTheOptimizersDefaults) {
  const std::vector<Parameter> p = fresh(3);
  optim::AdamW opt({p[0]}, {.lr = 0.05, .weight_decay = 0.3});
  opt.add_param_group({p[1]});
  auto options = opt.defaults();
  options.lr = 0.001;
  opt.add_param_group({p[2]}, options);
  EXPECT_EQ(opt.param_groups()[1].options.lr, 0.05);
  EXPECT_EQ(opt.param_groups()[1].options.weight_decay, 0.3);
  EXPECT_EQ(opt.param_groups()[2].options.lr, 0.001);
  EXPECT_EQ(opt.param_groups()[2].options.weight_decay, 0.3);
}

TEST(ParamGroups, StateDictRoundTripsAcrossGroups) {
  const std::vector<Parameter> p = fresh(3), q = fresh(3);
  optim::Adam source({p[0], p[1]}, {.lr = 0.1});
  source.add_param_group({p[2]}, {.lr = 0.2, .weight_decay = 0.5});
  for (const Parameter& x : p) x.set_grad(ones({2}, float64));
  source.step();
  const nn::StateDict dict = source.state_dict();
  EXPECT_EQ(dict.at("param_groups.0.params").to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(dict.at("param_groups.1.params").to_vector<std::int64_t>(), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(dict.at("param_groups.1.weight_decay").item(), 0.5);
  EXPECT_TRUE(dict.contains("state.2.exp_avg"));

  optim::Adam target({q[0], q[1]});
  target.add_param_group({q[2]});
  target.load_state_dict(dict);
  EXPECT_EQ(target.param_groups()[1].options.lr, 0.2);
  EXPECT_EQ(target.param_groups()[1].options.weight_decay, 0.5);
  {
    autograd::no_grad guard;
    for (std::size_t i = 0; i < 3; ++i) Tensor(q[i]).copy_(p[i].detach());
  }
  for (const Parameter& x : q) x.set_grad(ones({2}, float64));
  for (const Parameter& x : p) x.set_grad(ones({2}, float64));
  source.step();
  target.step();
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(q[i].to_vector<double>(), p[i].to_vector<double>());
}

TEST(ParamGroups, LoadRefusesAnotherGroupLayout) {
  const std::vector<Parameter> p = fresh(3);
  optim::SGD two({p[0]}, {.lr = 0.1});
  two.add_param_group({p[1], p[2]});
  optim::SGD one(fresh(3), {.lr = 0.1});
  EXPECT_THAT(error_message<ValueError>([&] { one.load_state_dict(two.state_dict()); }),
              HasSubstr("param_groups.0.params: expected the int64 indices [0, 1, 2] of this optimizer's group 0"));
  EXPECT_THAT(error_message<ValueError>([&] { two.load_state_dict(one.state_dict()); }),
              HasSubstr("Missing keys: param_groups.1.params"));
}

TEST(ParamGroups, SchedulerActsOnEachGroupsOwnBaseLr) {
  const std::vector<Parameter> p = fresh(2);
  optim::SGD opt({p[0]}, {.lr = 0.4});
  opt.add_param_group({p[1]}, {.lr = 0.1});
  optim::StepLR schedule(opt, 1, 0.5);
  EXPECT_EQ(schedule.base_lrs(), (std::vector<double>{0.4, 0.1}));
  schedule.step();
  EXPECT_EQ(schedule.get_last_lr(), (std::vector<double>{0.2, 0.05}));
  EXPECT_EQ(opt.group_lr(1), 0.05);
  const nn::StateDict state = schedule.state_dict();
  EXPECT_EQ(state.at("base_lrs").to_vector<double>(), (std::vector<double>{0.4, 0.1}));
}

TEST(ParamGroups, StepChecksWrittenOptionsFirst) {
  const std::vector<Parameter> p = fresh(2);
  optim::SGD opt({p[0]}, {.lr = 0.1});
  opt.add_param_group({p[1]}, {.lr = 0.1});
  for (const Parameter& x : p) x.set_grad(ones({2}, float64));
  opt.param_groups()[1].options.momentum = -1.0;
  EXPECT_THAT(error_message<ValueError>([&] { opt.step(); }), HasSubstr("param group 1: SGD: momentum (-1)"));
  EXPECT_EQ(p[0].to_vector<double>(), (std::vector<double>{1.0, 1.0}));  // nothing updated
}

}  // namespace
}  // namespace lucid::test
