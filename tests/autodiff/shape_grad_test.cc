// Shape and data-movement ops (reshape, permute, transpose, clone, dtype conversion), matmul and mm:
// gradients, and forward values against hand-computed results.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "autodiff/node.h"
#include "tests/autodiff/grad_case.h"

namespace lucid::test {
namespace {

using In = std::vector<Tensor>;

std::vector<GradCase> layout_cases() {
  // to_dtype through float32 and back: float32 rounding (~1e-7 relative) needs a larger step.
  const autograd::GradcheckOptions float32_roundtrip{.eps = 1e-2, .atol = 1e-3, .rtol = 1e-3};
  return {
      {"reshape_infer", [](const In& in) { return reshape(in[0], {-1, 2}); }, normal_inputs({{2, 3, 2}}), true},
      {"reshape_to_0d", [](const In& in) { return in[0].reshape({}); }, normal_inputs({{1}})},
      {"view_then_scale", [](const In& in) { return in[0].view({6}) * in[1]; }, normal_inputs({{2, 3}, {6}}), true},
      {"permute_201", [](const In& in) { return permute(in[0], {2, 0, 1}); }, normal_inputs({{2, 3, 4}})},
      {"permute_negative", [](const In& in) { return in[0].permute({0, -1, 1}); }, normal_inputs({{2, 3, 4}})},
      {"transpose_0_m1", [](const In& in) { return transpose(in[0], 0, -1); }, normal_inputs({{2, 3, 4}})},
      {"transpose_method", [](const In& in) { return in[0].transpose(1, 2) * in[1]; },
       normal_inputs({{2, 3, 4}, {4, 3}}), true},
      {"clone", [](const In& in) { return clone(in[0]) * in[0]; }, normal_inputs({{3, 2}}), true},
      {"clone_method", [](const In& in) { return in[0].clone(); }, normal_inputs({{3, 2}})},
      {"to_dtype_same", [](const In& in) { return to_dtype(in[0], float64) * 2.0; }, normal_inputs({{3}})},
      {"to_dtype_float32_roundtrip", [](const In& in) { return to_dtype(in[0].to(float32) * 3.0, float64); },
       normal_inputs({{2, 3}}), false, float32_roundtrip},
  };
}

std::vector<GradCase> matmul_cases() {
  auto constant_b = [] { return In{randn({2, 3}, float64, true), randn({3, 4}, float64)}; };
  auto constant_a = [] { return In{randn({2, 3}, float64), randn({3, 4}, float64, true)}; };
  auto product = [](const In& in) { return matmul(in[0], in[1]); };
  // mm with transpose flags: op(A) 2×3 and op(B) 3×4 stored as given by each flag.
  auto mm_flags = [](bool ta, bool tb) { return [ta, tb](const In& in) { return mm(in[0], in[1], ta, tb); }; };
  auto constant_b_transposed = [] { return In{randn({2, 3}, float64, true), randn({4, 3}, float64)}; };
  return {
      {"matmul_2x3_3x4", product, normal_inputs({{2, 3}, {3, 4}}), true},
      {"matmul_outer", product, normal_inputs({{3, 1}, {1, 4}}), true},
      {"matmul_inner", product, normal_inputs({{1, 5}, {5, 1}}), true},
      {"matmul_constant_b", product, constant_b, true},
      {"matmul_constant_a", product, constant_a, true},
      {"mm_no_flags", mm_flags(false, false), normal_inputs({{2, 3}, {3, 4}}), true},
      {"mm_b_transposed", mm_flags(false, true), normal_inputs({{2, 3}, {4, 3}}), true},
      {"mm_a_transposed", mm_flags(true, false), normal_inputs({{3, 2}, {3, 4}}), true},
      {"mm_both_transposed", mm_flags(true, true), normal_inputs({{3, 2}, {4, 3}}), true},
      {"mm_b_transposed_constant_b", mm_flags(false, true), constant_b_transposed, true},
      {"mm_gram", [](const In& in) { return mm(in[0], in[0], false, true); }, normal_inputs({{3, 2}}), true},
      {"matmul_method_gram", [](const In& in) { return in[0].matmul(transpose(in[0], 0, 1)); },
       normal_inputs({{3, 2}}), true},
      // A composition: a two-layer perceptron with a reduction at the end.
      {"mlp", [](const In& in) { return mean(sigmoid(matmul(tanh(matmul(in[0], in[1]) + in[2]), in[3])), {0}); },
       normal_inputs({{4, 3}, {3, 5}, {5}, {5, 2}}), true},
      {"composition", [](const In& in) { return log(sigmoid(in[0]) * exp(in[1]) + 1.0) / sqrt(in[0] * in[0] + 1.0); },
       normal_inputs({{3, 1}, {1, 2}}), true},
  };
}

INSTANTIATE_TEST_SUITE_P(Layout, OpGradients, ::testing::ValuesIn(layout_cases()), ParamName{});
INSTANTIATE_TEST_SUITE_P(Layout, OpSecondGradients, ::testing::ValuesIn(second_order(layout_cases())), ParamName{});
INSTANTIATE_TEST_SUITE_P(Matmul, OpGradients, ::testing::ValuesIn(matmul_cases()), ParamName{});
INSTANTIATE_TEST_SUITE_P(Matmul, OpSecondGradients, ::testing::ValuesIn(second_order(matmul_cases())), ParamName{});

TEST(MatmulValues, HandComputed2x3Times3x2) {
  // [[1 2 3]   [[ 7  8]    [[1·7+2·9+3·11, 1·8+2·10+3·12]    [[ 58  64]
  //  [4 5 6]] · [ 9 10]  =  [4·7+5·9+6·11, 4·8+5·10+6·12]] =  [139 154]]
  //             [11 12]]
  for (DType dtype : {float32, float64}) {
    const Tensor a = tensor({1, 2, 3, 4, 5, 6}, {2, 3}).to(dtype);
    const Tensor b = tensor({7, 8, 9, 10, 11, 12}, {3, 2}).to(dtype);
    const Tensor c = matmul(a, b);
    EXPECT_EQ(c.dtype(), dtype);
    expect_values_near(c, {2, 2}, {58, 64, 139, 154}, 0.0);
  }
}

// mm's transpose flags give the product of the transposed copies: the same K-sums through the same
// GEMM, with operands read in another order.
TEST(MatmulValues, MmFlagsMatchTransposedCopies) {
  manual_seed(5);
  for (DType dtype : {float32, float64}) {
    const Tensor a = randn({7, 5}, dtype), b = randn({5, 6}, dtype);
    const Tensor at = transpose(a, 0, 1), bt = transpose(b, 0, 1);
    const double tol = dtype == float32 ? 1e-5 : 1e-13;
    const std::vector<double> want = matmul(a, b).to_vector<double>();
    expect_values_near(mm(a, b), {7, 6}, want, tol);
    expect_values_near(mm(a, bt, false, true), {7, 6}, want, tol);
    expect_values_near(mm(at, b, true, false), {7, 6}, want, tol);
    expect_values_near(mm(at, bt, true, true), {7, 6}, want, tol);
  }
  // [[1 2 3]  ·  [[7 8 9]ᵀ    [[1·7+2·8+3·9]      [[ 50]
  //  [4 5 6]]                = [4·7+5·8+6·9]]  =   [122]]
  expect_values_near(mm(tensor({1, 2, 3, 4, 5, 6}, {2, 3}), tensor({7, 8, 9}, {1, 3}), false, true), {2, 1},
                     {50, 122}, 0.0);
}

// Linear's graph holds no transpose: the weight enters MmBackward directly, as a leaf.
TEST(MatmulGraph, LinearRecordsNoTranspose) {
  const Tensor x = randn({4, 3}, float64, true), w = randn({2, 3}, float64, true);
  const Tensor y = nn::functional::linear(x, w);
  ASSERT_TRUE(y.grad_fn());
  const autograd::Node* node = y.grad_fn().get();
  while (std::string(node->name()) == "ReshapeBackward") node = node->edges[0].node.get();
  ASSERT_EQ(std::string(node->name()), "MmBackward");
  EXPECT_EQ(node->edges[1].leaf, w.impl());
  EXPECT_FALSE(node->edges[1].node);
}

TEST(MatmulValues, EmptyInnerDimensionGivesZeros) {
  expect_values_near(matmul(zeros({2, 0}), zeros({0, 3})), {2, 3}, std::vector<double>(6, 0.0), 0.0);
  EXPECT_EQ(matmul(zeros({0, 2}), zeros({2, 3})).shape(), Shape({0, 3}));
}

TEST(MatmulGradient, ClosedForm) {
  // d Σ(A·B) / dA_ik = Σ_j B_kj, / dB_kj = Σ_i A_ik
  const Tensor a = tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}, true);
  const Tensor b = tensor(std::vector<double>{7, 8, 9, 10, 11, 12}, {3, 2}, true);
  matmul(a, b).sum().backward();
  expect_values_near(a.grad(), {2, 3}, {15, 19, 23, 15, 19, 23}, 0.0);
  expect_values_near(b.grad(), {3, 2}, {5, 5, 7, 7, 9, 9}, 0.0);
}

TEST(PermuteValues, MovesElementsToTheirNewIndex) {
  const Tensor x = arange(24, float64).reshape({2, 3, 4});
  const Tensor y = permute(x, {2, 0, 1});  // y[k, i, j] = x[i, j, k]
  ASSERT_EQ(y.shape(), Shape({4, 2, 3}));
  const std::vector<double> yv = y.to_vector<double>();
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 4; ++k) EXPECT_EQ(yv[static_cast<std::size_t>((k * 2 + i) * 3 + j)], (i * 3 + j) * 4 + k);
    }
  }
  expect_values_near(transpose(tensor({1, 2, 3, 4, 5, 6}, {2, 3}), 0, 1), {3, 2}, {1, 4, 2, 5, 3, 6}, 0.0);
}

TEST(PermuteErrors, BadPermutationsThrow) {
  const Tensor x = zeros({2, 3, 4});
  EXPECT_THROW(permute(x, {0, 1}), ValueError);
  EXPECT_THROW(permute(x, {0, 1, 1}), ValueError);
  EXPECT_THROW(permute(x, {0, 1, 3}), ValueError);
  EXPECT_THROW(transpose(x, 0, 3), ValueError);
}

TEST(ToDtypeGradient, ComesBackInTheInputDtype) {
  const Tensor x = tensor(std::vector<double>{1, 2, 3}, {3}, true);
  const Tensor y = x.to(float32);
  EXPECT_EQ(y.grad_fn()->name(), std::string("ToCopyBackward"));
  y.backward(tensor({0.5, -1, 2}, {3}));
  ASSERT_EQ(x.grad().dtype(), float64);
  expect_values_near(x.grad(), {3}, {0.5, -1, 2}, 0.0);
}

TEST(CloneGradient, IsTheIdentity) {
  const Tensor x = randn({2, 2}, float32, true);
  const Tensor w = tensor({1, 2, 3, 4}, {2, 2});
  x.clone().backward(w);
  expect_values_near(x.grad(), {2, 2}, {1, 2, 3, 4}, 0.0);
}

}  // namespace
}  // namespace lucid::test
