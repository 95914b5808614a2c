// Type promotion against PyTorch 1.13 (tests/golden/promotion.json from make_promotion_golden.py): for
// every pair of operand kinds (dimensioned or 0-d; float32, float64, int64) the dtype of a + b, a·b,
// where(c, a, b) and of a comparison's mask, the product's values and each floating operand's
// gradient in its own dtype. An int64 result is refused (lucid does no integer arithmetic).
#include <gtest/gtest.h>

#include <string>

#include "lucid.h"
#include "tests/golden_util.h"
#include "tests/test_util.h"

namespace {

using lucid::DType;
using lucid::Tensor;
namespace golden = lucid::test::golden;

DType dtype_named(const std::string& name) {
  return name == "float32" ? lucid::float32 : name == "float64" ? lucid::float64 : lucid::int64;
}

Tensor operand(const golden::Case& c, const char* which) {
  const DType dtype = dtype_named(c.attrs.at(which)[1].get<std::string>());
  Tensor t = c.tensor(which).to(dtype).detach();
  return lucid::is_floating_point(dtype) ? t.requires_grad_(true) : t;
}

TEST(TypePromotion, EveryPairOfOperandKindsAsPyTorch) {
  for (const golden::Case& c : golden::load("promotion.json")) {
    SCOPED_TRACE(c.name);
    const Tensor a = operand(c, "a"), b = operand(c, "b");
    const DType want = dtype_named(c.attrs.at("mul").get<std::string>());
    EXPECT_EQ(dtype_named(c.attrs.at("compared_in").get<std::string>()), want);
    if (want == lucid::int64) {
      EXPECT_TRUE(lucid::test::contains(lucid::test::error_message<lucid::ValueError>([&] { a * b; }), "got int64"));
      continue;
    }
    EXPECT_EQ(dtype_named(c.attrs.at("add").get<std::string>()), want);
    EXPECT_EQ((a + b).dtype(), want);
    EXPECT_EQ(lucid::where(lucid::ones({3}, lucid::float64), a, b).dtype(),
              dtype_named(c.attrs.at("where").get<std::string>()));
    EXPECT_EQ((a > b).dtype(), want);  // the mask is in the dtype the comparison ran in
    const Tensor product = a * b;
    ASSERT_EQ(product.dtype(), want);
    EXPECT_TRUE(golden::all_close(product, c.tensor("product"), 0.0, 0.0));  // exact: products of short decimals
    product.sum().backward();
    for (const auto& [input, grad] : {std::pair{a, "da"}, std::pair{b, "db"}}) {
      if (!c.tensors.count(grad)) continue;
      EXPECT_EQ(input.grad().dtype(), input.dtype());
      EXPECT_TRUE(golden::all_close(input.grad(), c.tensor(grad), 0.0, 0.0));
    }
  }
}

TEST(TypePromotion, MatrixProductsStillRequireOneDtype) {
  EXPECT_THROW(lucid::matmul(lucid::ones({2, 2}), lucid::ones({2, 2}, lucid::float64)), lucid::ValueError);
}

}  // namespace
