// The checks behind every op's gradient table (instantiated in elementwise_grad_test.cc,
// reduction_grad_test.cc and shape_grad_test.cc): central differences in float64.
#include "autodiff/gradcheck_gtest.h"
#include "tests/autodiff/grad_case.h"

namespace lucid::test {
namespace {

TEST_P(OpGradients, MatchCentralDifferences) {
  manual_seed(7);
  const GradCase& c = GetParam();
  const std::vector<Tensor> inputs = c.inputs();
  EXPECT_GRADCHECK(c.fn, inputs, c.options);
}

TEST_P(OpSecondGradients, MatchCentralDifferences) {
  manual_seed(11);
  const GradCase& c = GetParam();
  const std::vector<Tensor> inputs = c.inputs();
  EXPECT_GRADGRADCHECK(c.fn, inputs, c.options);
}

}  // namespace
}  // namespace lucid::test
