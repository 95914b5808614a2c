// Argument errors of the differentiable ops: mismatched dtypes, shapes that do not broadcast and
// bad matmul and mm operands throw ValueError naming the values, and leave their inputs as they were.
#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tests/test_util.h"

namespace lucid::test {
namespace {

struct BinaryOp {
  std::string name;
  Tensor (*f)(const Tensor&, const Tensor&);
};

Tensor mm_transposed_a(const Tensor& a, const Tensor& b) { return mm(a, b, /*transpose_a=*/true); }

const std::vector<BinaryOp> kOps{{"add", lucid::add}, {"sub", lucid::sub},       {"mul", lucid::mul},
                                 {"div", lucid::div}, {"matmul", lucid::matmul}, {"mm", mm_transposed_a}};

// Runs op on (a, b), expects a ValueError and returns its message; checks that neither input's
// values, requires_grad or gradient changed and that a later backward still works.
std::string failed_op_message(const BinaryOp& op, const Tensor& a, const Tensor& b) {
  const std::vector<double> a_before = a.to_vector<double>(), b_before = b.to_vector<double>();
  const std::string msg = error_message<ValueError>([&] { op.f(a, b); });
  EXPECT_EQ(a.to_vector<double>(), a_before);
  EXPECT_EQ(b.to_vector<double>(), b_before);
  for (const Tensor* t : {&a, &b}) {
    EXPECT_TRUE(t->is_leaf());
    EXPECT_FALSE(t->grad().defined());
  }
  return msg;
}

std::ostream& operator<<(std::ostream& os, const BinaryOp& op) { return os << op.name; }

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class OpErrors : public ::testing::TestWithParam<BinaryOp> {};

TEST_P(OpErrors, DtypeMismatchNamesBothDtypes) {
  const Tensor a = ones({2, 2}, float32, true);
  const Tensor b = ones({2, 2}, float64, true);
  for (const std::string& msg : {failed_op_message(GetParam(), a, b), failed_op_message(GetParam(), b, a)}) {
    EXPECT_TRUE(contains(msg, "float32"));
    EXPECT_TRUE(contains(msg, "float64"));
    EXPECT_TRUE(contains(lowercase(msg), GetParam().name));  // names the op
  }
}

// The matrix products do not promote (as PyTorch's); elementwise ops do (type_promotion_test.cc).
INSTANTIATE_TEST_SUITE_P(Ops, OpErrors, ::testing::Values(kOps[4], kOps[5]), ParamName{});

TEST(ElementwiseErrors, ShapesThatDoNotBroadcastNameBothShapes) {
  const Tensor a = ones({2, 3}, float64, true);
  const Tensor b = ones({4}, float64, true);
  for (std::size_t i = 0; i < 4; ++i) {  // add, sub, mul, div
    SCOPED_TRACE(kOps[i].name);
    const std::string msg = failed_op_message(kOps[i], a, b);
    EXPECT_TRUE(contains(msg, "(2, 3)"));
    EXPECT_TRUE(contains(msg, "(4,)"));
  }
  EXPECT_THROW(ones({2, 3}) + ones({3, 2}), ValueError);
  EXPECT_THROW(ones({3}) * ones({2, 1, 2}), ValueError);
}

// A double operand adopts the tensor's dtype, so mixing a tensor of either dtype with scalars never
// throws: the result has the tensor's dtype, and each element is the operation in that dtype's
// arithmetic on the scalar rounded to it (0.1 and 1/3 are not float32 numbers, so the float32 results
// differ from float64's).
template <typename T>
void expect_scalar_ops_in_dtype(DType dtype) {
  const std::vector<double> xs{-2.0, 0.5, 3.0, 7.25};
  const Tensor x = tensor(xs, {4}).to(dtype);
  const double s = 0.1, r = 1.0 / 3.0;
  const std::vector<std::pair<Tensor, std::function<T(T)>>> cases{
      {x + s, [&](T v) { return v + T(s); }}, {x - r, [&](T v) { return v + T(-r); }},
      {x * s, [&](T v) { return v * T(s); }}, {x / r, [&](T v) { return v / T(r); }},
      {s - x, [&](T v) { return T(s) - v; }}, {r / x, [&](T v) { return T(r) / v; }},
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const Tensor& y = cases[c].first;
    ASSERT_EQ(y.dtype(), dtype) << "case " << c;
    ASSERT_EQ(y.shape(), Shape({4})) << "case " << c;
    const std::vector<T> got = y.to_vector<T>();
    for (std::size_t i = 0; i < xs.size(); ++i) {
      EXPECT_EQ(got[i], cases[c].second(static_cast<T>(xs[i]))) << "case " << c << ", element " << i;
    }
  }
}

TEST(ElementwiseErrors, ScalarOperandsTakeTheTensorsDtype) {
  expect_scalar_ops_in_dtype<float>(float32);
  expect_scalar_ops_in_dtype<double>(float64);
}

TEST(MatmulErrors, InnerDimensionMismatchNamesBothShapes) {
  const Tensor a = ones({2, 3}, float64, true);
  const Tensor b = ones({4, 5}, float64, true);
  const std::string msg = failed_op_message(kOps[4], a, b);
  EXPECT_TRUE(contains(msg, "(2, 3)"));
  EXPECT_TRUE(contains(msg, "(4, 5)"));
}

TEST(MatmulErrors, MmInnerDimensionMismatchNamesTheTransposedOperand) {
  const Tensor a = ones({2, 3}, float64, true);  // enters as aᵀ: 3×2
  const Tensor b = ones({3, 5}, float64, true);
  const std::string msg = failed_op_message(kOps[5], a, b);
  EXPECT_TRUE(contains(msg, "mm: inner dimensions differ: (2, 3).T @ (3, 5) (2 != 3)"));
}

TEST(MatmulErrors, OperandRanks) {
  const Tensor v = ones({3}, float64, true);
  const Tensor m = ones({3, 2}, float64, true);
  const Tensor t = ones({2, 3, 3}, float64, true);
  std::string msg = failed_op_message(kOps[5], v, m);  // mm takes 2-D operands only
  EXPECT_TRUE(contains(msg, "(3,)"));
  EXPECT_TRUE(contains(msg, "(3, 2)"));
  msg = failed_op_message(kOps[5], t, m);
  EXPECT_TRUE(contains(msg, "(2, 3, 3)"));
  msg = failed_op_message(kOps[4], scalar_tensor(1.0, float64), m);  // matmul: at least 1-D
  EXPECT_TRUE(contains(msg, "at least one dimension"));
  EXPECT_THROW(mm(v, m, false, true), ValueError);
}

TEST(FailedOp, LeavesTheGraphWorking) {
  const Tensor x = ones({2}, float64, true);
  EXPECT_THROW(x + ones({3}, float64), ValueError);
  (x * 3.0).sum().backward();
  expect_values_near(x.grad(), {2}, {3, 3}, 0.0);
}

}  // namespace
}  // namespace lucid::test
