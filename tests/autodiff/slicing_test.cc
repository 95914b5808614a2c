// narrow, select, slice, split, chunk, cat, stack, unsqueeze, squeeze, flatten and t against PyTorch 1.13
// (tests/golden/slicing.json from make_slicing_golden.py): outputs and input gradients in float64 and
// float32 (pure data movement: exact), gradcheck and gradgradcheck of every case.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/golden_util.h"

namespace {

using lucid::Tensor;
namespace golden = lucid::test::golden;

const std::vector<golden::Case>& slicing_cases() {
  static const std::vector<golden::Case> all = golden::load("slicing.json");
  return all;
}

std::int64_t attr(const golden::Case& c, const char* key) { return c.attrs.at(key).get<std::int64_t>(); }

// The case's op on `in`; one or more outputs.
std::vector<Tensor> run_slicing(const golden::Case& c, const std::vector<Tensor>& in) {
  const std::string op = c.attrs.at("op").get<std::string>();
  if (op == "narrow") return {in[0].narrow(attr(c, "dim"), attr(c, "start"), attr(c, "length"))};
  if (op == "select") return {in[0].select(attr(c, "dim"), attr(c, "index"))};
  if (op == "slice") return {in[0].slice(attr(c, "dim"), attr(c, "start"), attr(c, "end"), attr(c, "step"))};
  if (op == "split") return in[0].split(attr(c, "size"), attr(c, "dim"));
  if (op == "chunk") return in[0].chunk(attr(c, "chunks"), attr(c, "dim"));
  if (op == "cat") return {lucid::cat(in, attr(c, "dim"))};
  if (op == "stack") return {lucid::stack(in, attr(c, "dim"))};
  if (op == "unsqueeze") return {in[0].unsqueeze(attr(c, "dim"))};
  if (op == "squeeze") return {in[0].squeeze(attr(c, "dim"))};
  if (op == "squeeze_all") return {in[0].squeeze()};
  if (op == "flatten") return {in[0].flatten(attr(c, "start"), attr(c, "end"))};
  return {in[0].t()};
}

std::vector<Tensor> inputs_of(const golden::Case& c, lucid::DType dtype) {
  std::vector<Tensor> in;
  for (int i = 0; i < c.attrs.at("inputs").get<int>(); ++i) {
    in.push_back(c.tensor("in" + std::to_string(i), dtype).detach().requires_grad_(true));
  }
  return in;
}

class SlicingParity : public ::testing::TestWithParam<golden::ParityParam> {};

TEST_P(SlicingParity, OutputsAndGradientsMatchPyTorch) {
  const golden::Case& c = slicing_cases()[std::get<0>(GetParam())];
  const golden::Precision p = std::get<1>(GetParam());
  const std::vector<Tensor> in = inputs_of(c, p.dtype);
  const std::vector<Tensor> outs = run_slicing(c, in);
  ASSERT_EQ(outs.size(), static_cast<std::size_t>(c.attrs.at("outputs").get<int>()));
  Tensor total = lucid::zeros({}, p.dtype);
  for (std::size_t k = 0; k < outs.size(); ++k) {
    EXPECT_TRUE(golden::all_close(outs[k], c.tensor("out" + std::to_string(k), p.dtype), 0.0, 0.0));
    total = total + (outs[k] * c.tensor("gy" + std::to_string(k), p.dtype)).sum();
  }
  total.backward();
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_TRUE(golden::all_close(in[i].grad(), c.tensor("d" + std::to_string(i), p.dtype), p.grad_rtol, 0.0));
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, SlicingParity, golden::parity_params(slicing_cases()),
                         golden::ParityName{slicing_cases()});

TEST(SlicingGradients, GradcheckAndGradgradcheckEveryCase) {
  for (const golden::Case& c : slicing_cases()) {
    SCOPED_TRACE(c.name);
    // Σ_k Σ tanh(out_k)·out_k: every output element carries its own gradient, and second derivatives
    // are not constant.
    const auto fn = [&c](const std::vector<Tensor>& in) {
      Tensor total = lucid::zeros({}, lucid::float64);
      const std::vector<Tensor> outs = run_slicing(c, in);
      for (std::size_t k = 0; k < outs.size(); ++k) total = total + (outs[k].tanh() * outs[k]).sum();
      return total;
    };
    EXPECT_GRADCHECK(fn, inputs_of(c, lucid::float64));
    EXPECT_GRADGRADCHECK(fn, inputs_of(c, lucid::float64));
  }
}

TEST(Slicing, ViewsShareStorageAndJoinsPromote) {
  const Tensor x = lucid::zeros({2, 3});
  EXPECT_EQ(x.unsqueeze(0).impl()->storage, x.impl()->storage);
  EXPECT_EQ(x.flatten().impl()->storage, x.impl()->storage);
  EXPECT_EQ(lucid::cat({x, lucid::ones({1, 3}, lucid::float64)}).dtype(), lucid::float64);
  EXPECT_EQ(x.chunk(5, 1).size(), 3u);  // pieces of one: fewer than asked, as PyTorch
  EXPECT_EQ(x.contiguous().impl(), x.impl());
}

}  // namespace
