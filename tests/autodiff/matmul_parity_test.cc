// matmul (PyTorch's 1-D / 2-D / batched broadcast rules), bmm, baddbmm and outer against PyTorch 1.13
// (tests/golden/matmul.json from make_matmul_golden.py): values and the gradients of every operand in
// float64 and float32, gradcheck and gradgradcheck in float64, and batched products bit-identical on
// 1 and 2 threads.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/golden_util.h"

namespace {

using lucid::Tensor;
namespace golden = lucid::test::golden;

const std::vector<golden::Case>& product_cases() {
  static const std::vector<golden::Case> all = golden::load("matmul.json");
  return all;
}

// The case's op applied to `in` (its operands, in order).
Tensor run_product(const golden::Case& c, const std::vector<Tensor>& in) {
  const std::string op = c.attrs.at("op").get<std::string>();
  if (op == "matmul") return lucid::matmul(in[0], in[1]);
  if (op == "bmm") return lucid::bmm(in[0], in[1]);
  if (op == "outer") return lucid::outer(in[0], in[1]);
  return lucid::baddbmm(in[0], in[1], in[2], c.attrs.at("beta").get<double>(), c.attrs.at("alpha").get<double>());
}

std::vector<Tensor> operands(const golden::Case& c, lucid::DType dtype) {
  std::vector<Tensor> in;
  for (int i = 0; i < c.attrs.at("inputs").get<int>(); ++i) {
    in.push_back(c.tensor("in" + std::to_string(i), dtype).detach().requires_grad_(true));
  }
  return in;
}

class MatmulParity : public ::testing::TestWithParam<golden::ParityParam> {};

// float32 tolerances: a K-term dot product of float32 values rounds to about √K·2⁻²⁴ relative to its
// largest term; K ≤ 5 here, so golden::kFloat32's 1e-5 (outputs) and 1e-4 (gradients) hold.
TEST_P(MatmulParity, ValuesAndGradientsMatchPyTorch) {
  const golden::Case& c = product_cases()[std::get<0>(GetParam())];
  const golden::Precision p = std::get<1>(GetParam());
  const std::vector<Tensor> in = operands(c, p.dtype);
  const Tensor out = run_product(c, in);
  EXPECT_EQ(out.dtype(), p.dtype);
  EXPECT_TRUE(golden::close_scaled(out, c.tensor("out"), p.output_rtol));
  out.backward(c.tensor("gy", p.dtype));
  for (std::size_t i = 0; i < in.size(); ++i) {
    SCOPED_TRACE("operand " + std::to_string(i));
    EXPECT_TRUE(golden::close_scaled(in[i].grad(), c.tensor("d" + std::to_string(i)), p.grad_rtol));
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, MatmulParity, golden::parity_params(product_cases()),
                         golden::ParityName{product_cases()});

TEST(MatmulGradients, GradcheckAndGradgradcheckEveryCase) {
  for (const golden::Case& c : product_cases()) {
    SCOPED_TRACE(c.name);
    const auto fn = [&c](const std::vector<Tensor>& in) { return run_product(c, in); };
    EXPECT_GRADCHECK(fn, operands(c, lucid::float64));
    EXPECT_GRADGRADCHECK(fn, operands(c, lucid::float64));
  }
}

TEST(MatmulShapes, FollowPyTorchsRules) {
  const auto shape_of = [](lucid::Shape a, lucid::Shape b) { return lucid::matmul(lucid::ones(a), lucid::ones(b)).shape(); };
  EXPECT_EQ(shape_of({3}, {3}), lucid::Shape{});
  EXPECT_EQ(shape_of({2, 3}, {3}), (lucid::Shape{2}));
  EXPECT_EQ(shape_of({3}, {3, 4}), (lucid::Shape{4}));
  EXPECT_EQ(shape_of({5, 1, 2, 3}, {7, 3, 4}), (lucid::Shape{5, 7, 2, 4}));
  EXPECT_EQ(shape_of({3}, {5, 3, 4}), (lucid::Shape{5, 4}));
  EXPECT_EQ(shape_of({5, 2, 3}, {3}), (lucid::Shape{5, 2}));
  EXPECT_EQ(shape_of({0, 2, 3}, {3, 4}), (lucid::Shape{0, 2, 4}));
  EXPECT_EQ(lucid::matmul(lucid::ones({2, 0}), lucid::ones({0, 3})).to_vector<float>(), std::vector<float>(6, 0.0f));
}

// Attention-sized batches: every (product, block) is one single-threaded GEMM call, so the thread count
// cannot change a result.
TEST(MatmulThreads, BatchedProductsAreIdenticalOnOneAndTwoThreads) {
  lucid::manual_seed(3);
  const Tensor q = lucid::randn({4, 8, 64, 32}), k = lucid::randn({4, 8, 32, 64});
  const Tensor big_a = lucid::randn({3, 300, 260}), big_b = lucid::randn({3, 260, 280});
  const int before = lucid::get_num_threads();
  lucid::set_num_threads(1);
  const auto scores1 = lucid::matmul(q, k).to_vector<float>(), big1 = lucid::bmm(big_a, big_b).to_vector<float>();
  lucid::set_num_threads(2);
  const auto scores2 = lucid::matmul(q, k).to_vector<float>(), big2 = lucid::bmm(big_a, big_b).to_vector<float>();
  lucid::set_num_threads(before);
  EXPECT_EQ(scores1, scores2);
  EXPECT_EQ(big1, big2);
}

// A transposed view enters the GEMM through its transpose flag; the product and the gradients are the
// same as with the view copied first (the GEMM runs the same arithmetic either way).
TEST(MatmulViews, TransposedViewsGiveTheProductsOfTheirCopies) {
  lucid::manual_seed(5);
  const Tensor a = lucid::randn({3, 4}, lucid::float64).requires_grad_(), b = lucid::randn({5, 4}, lucid::float64).requires_grad_();
  const Tensor q = lucid::randn({2, 3, 4}, lucid::float64).requires_grad_(), k = lucid::randn({2, 5, 4}, lucid::float64).requires_grad_();
  const auto check = [](const std::function<Tensor(const std::vector<Tensor>&)>& viewed,
                        const std::function<Tensor(const std::vector<Tensor>&)>& copied, const std::vector<Tensor>& in) {
    const Tensor y_view = viewed(in);
    const std::vector<Tensor> g_view = lucid::autograd::grad(y_view.sum(), in);
    const Tensor y_copy = copied(in);
    const std::vector<Tensor> g_copy = lucid::autograd::grad(y_copy.sum(), in);
    EXPECT_EQ(y_view.to_vector<double>(), y_copy.to_vector<double>());
    for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(g_view[i].to_vector<double>(), g_copy[i].to_vector<double>());
    EXPECT_GRADCHECK([&](const std::vector<Tensor>& x) { return viewed(x).tanh(); }, in);
  };
  check([](const auto& x) { return x[0].matmul(x[1].t()); }, [](const auto& x) { return x[0].matmul(x[1].t().contiguous()); },
        {a, b});
  check([](const auto& x) { return x[0].t().t().matmul(x[1].t()).t().matmul(x[0]); },
        [](const auto& x) { return x[0].matmul(x[1].t().contiguous()).t().contiguous().matmul(x[0]); }, {a, b});
  check([](const auto& x) { return x[0].matmul(x[1].transpose(-2, -1)); },
        [](const auto& x) { return x[0].matmul(x[1].transpose(-2, -1).contiguous()); }, {q, k});
}

}  // namespace
