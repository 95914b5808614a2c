// quickstart: fits y = 3x − 1 + noise with a one-feature affine model written as a lucid Module,
// by plain gradient descent, printing the loss and the learned parameters.
#include <cstdio>
#include <iostream>

#include "lucid.h"

class Affine : public lucid::nn::Module {
 public:
  Affine() {
    weight = register_parameter("weight", lucid::zeros({1}));
    bias = register_parameter("bias", lucid::zeros({1}));
  }
  lucid::Tensor forward(const lucid::Tensor& x) override { return x * weight + bias; }
  std::string extra_repr() const override { return "features=1"; }

  lucid::nn::Parameter weight, bias;
};

int main() {
  lucid::manual_seed(0);
  const lucid::Tensor x = lucid::randn({256});
  const lucid::Tensor y = x * 3.0 - 1.0 + lucid::randn({256}) * 0.1;

  Affine model;
  std::cout << model << "\n";
  const double learning_rate = 0.1;
  for (int step = 0; step <= 100; ++step) {
    model.zero_grad();
    const lucid::Tensor loss = (model(x) - y).pow(2.0).mean();
    loss.backward();
    {
      lucid::autograd::no_grad guard;  // the update itself is not part of the graph
      for (auto& p : model.parameters()) p.copy_(p - p.grad() * learning_rate);
    }
    if (step % 20 == 0) std::printf("step %3d  loss %.6f\n", step, loss.item());
  }
  std::printf("learned weight %.4f (true 3), bias %.4f (true -1)\n", model.weight.item(), model.bias.item());
  return 0;
}
