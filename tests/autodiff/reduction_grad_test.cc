// Reductions (sum, mean over all or chosen dims, keepdim, negative dims), sum_to and expand:
// forward values against float64 loops, output shapes, and gradients.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "tests/autodiff/grad_case.h"

namespace lucid::test {
namespace {

using In = std::vector<Tensor>;
using Dims = std::vector<std::int64_t>;

std::string dims_label(const Dims& dims) {
  std::string s = dims.empty() ? "all" : "dims";
  for (std::int64_t d : dims) s += d < 0 ? "_m" + std::to_string(-d) : "_" + std::to_string(d);
  return s;
}

const std::vector<Dims> kDims{{}, {0}, {1}, {2}, {-1}, {0, 2}, {-3, -1}, {2, 0, 1}};

std::vector<GradCase> reduction_cases() {
  std::vector<GradCase> cases;
  for (const bool is_mean : {false, true}) {
    for (const Dims& dims : kDims) {
      for (const bool keepdim : {false, true}) {
        cases.push_back({std::string(is_mean ? "mean_" : "sum_") + dims_label(dims) + (keepdim ? "_keepdim" : ""),
                         [=](const In& in) { return is_mean ? mean(in[0], dims, keepdim) : sum(in[0], dims, keepdim); },
                         normal_inputs({{2, 3, 4}})});
      }
    }
  }
  cases.push_back({"sum_method", [](const In& in) { return in[0].sum(); }, normal_inputs({{3, 2}})});
  cases.push_back({"mean_method", [](const In& in) { return in[0].mean(); }, normal_inputs({{3, 2}})});
  cases.push_back({"sum_0d", [](const In& in) { return sum(in[0]); }, normal_inputs({{}})});
  // Non-trivial second derivatives through a reduction.
  cases.push_back({"sum_of_cubes_dim_1", [](const In& in) { return sum(pow(in[0], 3.0), {1}); },
                   normal_inputs({{2, 3, 4}}), true});
  cases.push_back({"mean_of_exp_keepdim", [](const In& in) { return mean(exp(in[0]), {-1, 0}, true); },
                   normal_inputs({{2, 3, 4}}), true});
  cases.push_back({"mean_times_x", [](const In& in) { return mean(in[0], {1}, true) * in[0]; },
                   normal_inputs({{3, 4}}), true});
  cases.push_back({"sum_all_of_product", [](const In& in) { return sum(in[0] * in[1]); },
                   normal_inputs({{3, 4}, {3, 4}}), true});
  return cases;
}

std::vector<GradCase> broadcast_cases() {
  struct ShapePair {
    std::string name;
    Shape from, to;
  };
  std::vector<GradCase> cases;
  for (const ShapePair& s : std::vector<ShapePair>{{"to_col", {2, 3, 4}, {3, 1}},
                                                   {"to_last", {2, 3, 4}, {4}},
                                                   {"to_scalar", {2, 3}, {}},
                                                   {"to_ones", {2, 3}, {1, 1}},
                                                   {"to_mixed", {5, 2, 3}, {2, 1}},
                                                   {"to_same", {2, 3}, {2, 3}}}) {
    cases.push_back({"sum_to_" + s.name, [to = s.to](const In& in) { return sum_to(in[0], to); },
                     normal_inputs({s.from})});
    // expand is sum_to's adjoint: the same shape pairs, the other way round
    cases.push_back({"expand_" + s.name, [from = s.from](const In& in) { return expand(in[0], from); },
                     normal_inputs({s.to}), true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Reductions, OpGradients, ::testing::ValuesIn(reduction_cases()), ParamName{});
INSTANTIATE_TEST_SUITE_P(Reductions, OpSecondGradients, ::testing::ValuesIn(second_order(reduction_cases())),
                         ParamName{});
INSTANTIATE_TEST_SUITE_P(Broadcasts, OpGradients, ::testing::ValuesIn(broadcast_cases()), ParamName{});
INSTANTIATE_TEST_SUITE_P(Broadcasts, OpSecondGradients, ::testing::ValuesIn(second_order(broadcast_cases())),
                         ParamName{});

// ---- forward values and shapes against float64 loops over a (2, 3, 4) tensor ----

class ReductionValues : public ::testing::TestWithParam<Dims> {};

TEST_P(ReductionValues, SumAndMeanMatchLoops) {
  const Dims& dims = GetParam();
  manual_seed(3);
  const Tensor x = randn({2, 3, 4}, float64);
  const std::vector<double> xv = x.to_vector<double>();
  const std::int64_t sizes[3] = {2, 3, 4};
  bool reduce[3] = {dims.empty(), dims.empty(), dims.empty()};
  for (std::int64_t d : dims) reduce[d < 0 ? d + 3 : d] = true;
  // Output index: the kept coordinates, row-major.
  Shape::Dims keep_dims, out_dims;
  std::int64_t count = 1;
  for (int d = 0; d < 3; ++d) {
    keep_dims.push_back(reduce[d] ? 1 : sizes[d]);
    if (!reduce[d]) out_dims.push_back(sizes[d]);
    if (reduce[d]) count *= sizes[d];
  }
  const Shape keep_shape(keep_dims);
  std::vector<double> expected(static_cast<std::size_t>(keep_shape.numel()), 0.0);
  for (std::int64_t i = 0; i < 2; ++i) {
    for (std::int64_t j = 0; j < 3; ++j) {
      for (std::int64_t k = 0; k < 4; ++k) {
        const std::int64_t oi = reduce[0] ? 0 : i, oj = reduce[1] ? 0 : j, ok = reduce[2] ? 0 : k;
        expected[static_cast<std::size_t>((oi * keep_dims[1] + oj) * keep_dims[2] + ok)] +=
            xv[static_cast<std::size_t>((i * 3 + j) * 4 + k)];
      }
    }
  }
  expect_values_near(sum(x, dims, true), keep_shape, expected, 1e-12);
  expect_values_near(sum(x, dims, false), Shape(out_dims), expected, 1e-12);
  for (double& e : expected) e /= static_cast<double>(count);
  expect_values_near(mean(x, dims, true), keep_shape, expected, 1e-12);
  expect_values_near(mean(x, dims, false), Shape(out_dims), expected, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Dims, ReductionValues, ::testing::ValuesIn(kDims),
                         [](const auto& param_info) { return dims_label(param_info.param); });

TEST(ReductionFloat32, SumsAccumulateInDouble) {
  // 1 + 1e-8·n: each float32 addition alone would lose the small terms (ulp(1) ≈ 1.2e-7).
  std::vector<float> v(100001, 1e-8f);
  v[0] = 1.0f;
  const float s = tensor(v, {100001}).sum().item<float>();
  EXPECT_NEAR(s, 1.0 + 100000 * static_cast<double>(1e-8f), 1e-7);
}

TEST(ReductionGradient, MeanSpreadsTheGradientEvenly) {
  const Tensor x = randn({4, 5}, float64, true);
  mean(x, {1}).backward(tensor(std::vector<double>{1, 2, 3, 4}, {4}));
  std::vector<double> expected;
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 5; ++j) expected.push_back((i + 1) / 5.0);
  }
  expect_values_near(x.grad(), {4, 5}, expected, 1e-15);
}

TEST(ReductionErrors, BadDimsThrow) {
  const Tensor x = zeros({2, 3});
  EXPECT_TRUE(contains(error_message<ValueError>([&] { sum(x, {2}); }), "(2, 3)"));
  EXPECT_THROW(mean(x, {-3}), ValueError);
  EXPECT_TRUE(contains(error_message<ValueError>([&] { sum(x, {1, -1}); }), "twice"));
  EXPECT_THROW(sum_to(x, {3, 3}), ValueError);
  EXPECT_THROW(sum_to(x, {4, 2, 3}), ValueError);  // (2, 3) is not a broadcast of (4, 2, 3)
  EXPECT_TRUE(contains(error_message<ValueError>([&] { expand(x, {3, 3}); }), "(3, 3)"));
  EXPECT_THROW(expand(x, {3}), ValueError);
}

}  // namespace
}  // namespace lucid::test
