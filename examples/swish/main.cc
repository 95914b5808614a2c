// swish: uses the user-defined fused op of swish.h, runs its generated backward, and checks the
// gradient against float64 central differences with lucid::autograd::gradcheck; then the same
// activation fused into GroupNorm, checked the same way.
#include <cstdio>
#include <iostream>

#include "examples/swish/swish.h"
#include "lucid.h"

int main() {
  lucid::manual_seed(0);
  const double beta = 1.5;
  lucid::Tensor x = lucid::randn({2, 3}, lucid::float32, /*requires_grad=*/true);
  lucid::Tensor y = swish_example::swish(x, beta);
  std::cout << "x = " << x << "\nswish(x; 1.5) = " << y << "\n";

  y.sum().backward();
  std::cout << "d sum(swish(x)) / dx = " << x.grad() << "\n";

  // The same formula from separate ops, as an independent check of value and gradient.
  lucid::Tensor x2 = x.detach().requires_grad_();
  lucid::Tensor unfused = x2 * lucid::sigmoid(x2 * beta);
  unfused.sum().backward();
  std::cout << "unfused x·σ(βx) gradient  = " << x2.grad() << "\n";

  const auto check = lucid::autograd::gradcheck(
      [beta](const std::vector<lucid::Tensor>& in) { return swish_example::swish(in[0], beta); }, {x});
  std::printf("%s\n", check.message.c_str());

  // GroupNorm(2 groups) → swish(β) in one kernel, forward and backward, against central differences.
  const lucid::Tensor features = lucid::randn({2, 4, 3}, lucid::float64, true);
  const lucid::Tensor weight = lucid::randn({4}, lucid::float64, true), bias = lucid::randn({4}, lucid::float64, true);
  std::cout << "swish(group_norm(x); 1.5) = " << swish_example::group_norm_swish(features, 2, weight, bias, 1e-5, beta)
            << "\n";
  const auto fused_check = lucid::autograd::gradcheck(
      [beta](const std::vector<lucid::Tensor>& in) {
        return swish_example::group_norm_swish(in[0], 2, in[1], in[2], 1e-5, beta);
      },
      {features, weight, bias});
  std::printf("group_norm_swish: %s\n", fused_check.message.c_str());
  return check.ok && fused_check.ok ? 0 : 1;
}
