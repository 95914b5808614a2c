// nn::summary (modules/summary.h) against PyTorch 1.13's counts (golden/make_summary_golden.py): the
// Fashion-MNIST example's model and a nested model with a frozen Linear and a BatchNorm's buffers give
// the same leaf rows (name, type, output shape, parameters) and totals; the summary changes no mode
// and no running statistic, and prints a readable table.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/golden_util.h"

namespace lucid::test {
namespace {

using namespace lucid::nn;

std::shared_ptr<Module> summary_example_model() {
  return std::make_shared<Sequential>(Conv2d(1, 32, {3, 3}, {.padding = {1, 1}}), GroupNorm(8, 32), SiLU(), MaxPool2d(2),
                                      Conv2d(32, 64, {3, 3}, {.padding = {1, 1}}), GroupNorm(8, 64), SiLU(), MaxPool2d(2),
                                      Flatten(), Linear(3136, 10));
}

std::shared_ptr<Module> summary_nested_model() {
  auto head = std::make_shared<Sequential>(Linear(16 * 3 * 3, 12), Tanh(), Linear(12, 4, {.bias = false}));
  for (Parameter& p : (*head)[0]->parameters()) p.requires_grad_(false);
  return std::make_shared<Sequential>(Conv2d(3, 8, 3, {.padding = 1}), GroupNorm(2, 8), SiLU(),
                                      Sequential(Conv2d(8, 16, 3, {.stride = 2}), BatchNorm2d(16), ReLU()), Flatten(),
                                      head);
}

TEST(Summary, MatchesPyTorchCounts) {
  const std::vector<golden::Case> cases = golden::load("summary.json");
  ASSERT_EQ(cases.size(), 2u);
  for (const golden::Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::shared_ptr<Module> model = c.name == "nested" ? summary_nested_model() : summary_example_model();
    const Summary s = summary(*model, zeros(Shape(c.attrs.at("input_shape").get<std::vector<std::int64_t>>())));
    const auto& rows = c.attrs.at("rows");
    ASSERT_EQ(s.rows().size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const SummaryRow& row = s.rows()[i];
      EXPECT_EQ(row.name, rows[i].at("name").get<std::string>());
      EXPECT_EQ(row.type, rows[i].at("type").get<std::string>());
      ASSERT_TRUE(row.output_shape.has_value()) << row.name;
      EXPECT_EQ(*row.output_shape, Shape(rows[i].at("output_shape").get<std::vector<std::int64_t>>())) << row.name;
      EXPECT_EQ(row.parameters, rows[i].at("parameters").get<std::int64_t>()) << row.name;
    }
    EXPECT_EQ(s.total_parameters(), c.attrs.at("total").get<std::int64_t>());
    EXPECT_EQ(s.trainable_parameters(), c.attrs.at("trainable").get<std::int64_t>());
    EXPECT_EQ(s.non_trainable_parameters(), c.attrs.at("non_trainable").get<std::int64_t>());
    EXPECT_EQ(s.parameter_bytes(), c.attrs.at("parameter_bytes").get<std::int64_t>());
    EXPECT_EQ(s.buffer_bytes(), c.attrs.at("buffer_bytes").get<std::int64_t>());
  }
}

// Eval mode during the pass (BatchNorm's running statistics stay put), modes restored after it, the
// hooks gone (a Sequential fuses GroupNorm → SiLU again).
TEST(Summary, LeavesTheModelAsItWas) {
  const std::shared_ptr<Module> model = summary_nested_model();
  model->train();
  (*model->children()[3]->children()[0]).eval();  // a mixed state to restore
  const StateDict before = model->state_dict();
  std::vector<Tensor> copies;
  for (const auto& [name, t] : before) copies.push_back(t.clone());
  (void)summary(*model, randn({2, 3, 8, 8}));
  std::size_t i = 0;
  for (const auto& [name, t] : model->state_dict()) EXPECT_EQ(t.to_vector<double>(), copies[i++].to_vector<double>()) << name;
  EXPECT_TRUE(model->is_training());
  EXPECT_FALSE(model->children()[3]->children()[0]->is_training());
  EXPECT_TRUE(model->children()[3]->children()[1]->is_training());
  for (const auto& child : model->children()) EXPECT_FALSE(child->has_hooks());
}

TEST(Summary, PrintsATable) {
  std::ostringstream os;
  os << summary(*summary_example_model(), zeros({1, 1, 28, 28}));
  const std::string text = os.str();
  for (const char* part : {"Layer (type)", "0 (Conv2d)", "(1, 32, 28, 28)", "9 (Linear)", "31,370",
                           "Total params: 50,378", "Trainable params: 50,378", "Non-trainable params: 0",
                           "Params size: 196.8 KiB, buffers size: 0 B"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
}

// A forward that throws leaves no hook behind and the modes as they were.
TEST(Summary, ForwardErrorPropagatesAndCleansUp) {
  const std::shared_ptr<Module> model = summary_example_model();
  model->train();
  EXPECT_THROW((void)summary(*model, zeros({1, 3, 28, 28})), ValueError);
  EXPECT_TRUE(model->is_training());
  for (const auto& child : model->children()) EXPECT_FALSE(child->has_hooks());
}

}  // namespace
}  // namespace lucid::test
