// swish: uses the user-defined fused op of swish.h, runs its generated backward, and checks the
// gradient against float64 central differences with lucid::autograd::gradcheck.
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
  return check.ok ? 0 : 1;
}
