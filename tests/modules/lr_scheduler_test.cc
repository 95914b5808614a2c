// Learning-rate schedules against PyTorch 1.13 (tests/golden/lr_scheduler.json, written by
// make_optim_golden.py): the lr after every step must be PyTorch's to the last bit, since lucid
// evaluates PyTorch's recursive formulas in the same order (same libm cos). Plus validation,
// epoch counting and PyTorch's chaining from the optimizer's current lr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/test_util.h"

namespace {

namespace golden = lucid::test::golden;
using lucid::ValueError;
using lucid::nn::Parameter;
using lucid::optim::CosineAnnealingLR;
using lucid::optim::LRScheduler;
using lucid::optim::SGD;
using lucid::optim::StepLR;
using lucid::test::error_message;
using ::testing::HasSubstr;

const std::vector<golden::Case>& scheduler_cases() {
  static const std::vector<golden::Case> all = golden::load("lr_scheduler.json");
  return all;
}

std::vector<Parameter> one_parameter() { return {Parameter(lucid::zeros({1}))}; }

std::unique_ptr<LRScheduler> make_scheduler(const golden::Case& c, SGD& opt) {
  const nlohmann::json& a = c.attrs;
  if (a.at("scheduler").get<std::string>() == "StepLR") {
    return std::make_unique<StepLR>(opt, a.at("step_size").get<std::int64_t>(),
                                    a.contains("gamma") ? a.at("gamma").get<double>() : 0.1);
  }
  return std::make_unique<CosineAnnealingLR>(opt, a.at("T_max").get<std::int64_t>(),
                                             a.contains("eta_min") ? a.at("eta_min").get<double>() : 0.0);
}

class LRSchedulerParity : public ::testing::TestWithParam<std::size_t> {};

TEST_P(LRSchedulerParity, SequenceMatchesPyTorchExactly) {
  const golden::Case& c = scheduler_cases()[GetParam()];
  const std::vector<double> want = c.tensor("lr").to_vector<double>();
  SGD opt(one_parameter(), {.lr = c.attrs.at("base_lr").get<double>()});
  const std::unique_ptr<LRScheduler> scheduler = make_scheduler(c, opt);
  ASSERT_EQ(want.size(), c.attrs.at("epochs").get<std::size_t>() + 1);
  EXPECT_EQ(scheduler->last_epoch(), 0);
  EXPECT_EQ(scheduler->get_last_lr()[0], want[0]);
  for (std::size_t epoch = 1; epoch < want.size(); ++epoch) {
    scheduler->step();
    EXPECT_EQ(scheduler->last_epoch(), static_cast<std::int64_t>(epoch));
    EXPECT_EQ(scheduler->get_last_lr()[0], want[epoch]) << "epoch " << epoch;
    EXPECT_EQ(opt.lr(), want[epoch]) << "epoch " << epoch;
  }
  EXPECT_EQ(scheduler->base_lrs()[0], want[0]);
}

INSTANTIATE_TEST_SUITE_P(Golden, LRSchedulerParity, ::testing::ValuesIn(golden::case_indices(scheduler_cases())),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           return scheduler_cases()[param_info.param].name;
                         });

// The golden sequences go past T_max (cosine rises again) and through several StepLR decays.
TEST(LRSchedulerParityFile, CoversTheSchedules) {
  int step = 0, cosine = 0;
  for (const golden::Case& c : scheduler_cases()) {
    const auto epochs = c.attrs.at("epochs").get<std::int64_t>();
    if (c.attrs.at("scheduler").get<std::string>() == "StepLR") {
      ++step;
      EXPECT_GE(epochs / c.attrs.at("step_size").get<std::int64_t>(), 3) << c.name;
    } else {
      ++cosine;
      EXPECT_GT(epochs, 2 * c.attrs.at("T_max").get<std::int64_t>()) << c.name;
    }
  }
  EXPECT_GE(step, 2);
  EXPECT_GE(cosine, 3);
}

// The closed forms the header documents hold (to rounding) when nothing else touches the lr.
TEST(LRScheduler, FollowsTheClosedForms) {
  SGD opt(one_parameter(), {.lr = 0.4});
  CosineAnnealingLR cosine(opt, 8, 0.01);
  for (int epoch = 1; epoch <= 20; ++epoch) {
    cosine.step();
    EXPECT_NEAR(cosine.get_last_lr()[0], 0.01 + (0.4 - 0.01) * (1 + std::cos(std::numbers::pi * epoch / 8)) / 2, 1e-15);
  }
  SGD opt2(one_parameter(), {.lr = 0.4});
  StepLR step(opt2, 2, 0.5);
  for (int epoch = 1; epoch <= 9; ++epoch) {
    step.step();
    EXPECT_DOUBLE_EQ(step.get_last_lr()[0], 0.4 * std::pow(0.5, epoch / 2));
  }
}

// As in PyTorch, each step starts from the optimizer's current lr, so a manual change carries over.
TEST(LRScheduler, ChainsFromTheOptimizersCurrentLr) {
  SGD opt(one_parameter(), {.lr = 1.0});
  StepLR scheduler(opt, 3, 0.1);
  scheduler.step();
  scheduler.step();
  opt.set_lr(0.5);
  scheduler.step();  // epoch 3: decay
  EXPECT_DOUBLE_EQ(opt.lr(), 0.05);
  EXPECT_EQ(scheduler.base_lrs()[0], 1.0);
}

// A schedule resumed from its state_dict (with the optimizer's lr restored too, as a checkpoint of
// both would) continues bit for bit as the uninterrupted schedule does. The new schedule is built
// on an optimizer at the last lr, so without base_lr restored the cosine would aim elsewhere.
TEST(LRScheduler, StateDictResumesTheSchedule) {
  SGD opt(one_parameter(), {.lr = 0.4});
  CosineAnnealingLR uninterrupted(opt, 10, 0.01);
  for (int epoch = 1; epoch <= 4; ++epoch) uninterrupted.step();
  const lucid::nn::StateDict saved = uninterrupted.state_dict();
  EXPECT_EQ(saved.at("last_epoch").item<double>(), 4.0);
  EXPECT_EQ(saved.at("base_lrs").item<double>(), 0.4);
  EXPECT_EQ(saved.at("last_lrs").item<double>(), uninterrupted.get_last_lr()[0]);

  SGD resumed_opt(one_parameter(), {.lr = opt.lr()});
  CosineAnnealingLR resumed(resumed_opt, 10, 0.01);
  resumed.load_state_dict(saved);
  EXPECT_EQ(resumed.last_epoch(), 4);
  EXPECT_EQ(resumed.base_lrs()[0], 0.4);
  EXPECT_EQ(resumed.get_last_lr()[0], uninterrupted.get_last_lr()[0]);
  for (int epoch = 5; epoch <= 25; ++epoch) {
    uninterrupted.step();
    resumed.step();
    ASSERT_EQ(resumed.get_last_lr()[0], uninterrupted.get_last_lr()[0]) << "epoch " << epoch;
    ASSERT_EQ(resumed_opt.lr(), opt.lr()) << "epoch " << epoch;
  }
}

TEST(LRScheduler, InvalidArgumentsNameTheirValues) {
  SGD opt(one_parameter(), {.lr = 0.1});
  EXPECT_THAT(error_message<ValueError>([&] { StepLR(opt, 0); }),
              HasSubstr("StepLR: step_size (0) must be at least 1"));
  EXPECT_THAT(error_message<ValueError>([&] { StepLR(opt, 2, -0.5); }), HasSubstr("StepLR: gamma (-0.5)"));
  EXPECT_THAT(error_message<ValueError>([&] { CosineAnnealingLR(opt, -3); }),
              HasSubstr("CosineAnnealingLR: T_max (-3) must be at least 1"));
  EXPECT_THAT(error_message<ValueError>([&] { CosineAnnealingLR(opt, 10, -1e-3); }),
              HasSubstr("CosineAnnealingLR: eta_min (-0.001)"));
  EXPECT_EQ(opt.lr(), 0.1);
}

}  // namespace
