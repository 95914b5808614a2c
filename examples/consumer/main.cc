// A lucid user's program, built outside lucid's tree (see CMakeLists.txt): a small GroupNorm model
// trained for a few steps on a fixed synthetic task, and a gradcheck of a user-defined function.
// Exits non-zero when a check fails.
#include <cstdio>
#include <cstring>

#include "lucid.h"

using lucid::Tensor;
using lucid::autograd::Context;
using lucid::autograd::TensorList;

// y = x³ + c, dy/dx = 3x², written as the user's own Function.
struct CubePlus : lucid::autograd::Function<CubePlus> {
  static Tensor forward(Context& ctx, const Tensor& x, double c) {
    ctx.save_for_backward({x});
    return x * x * x + c;
  }
  static TensorList backward(Context& ctx, const TensorList& grad_outputs) {
    const Tensor x = ctx.saved_tensors()[0];
    return {grad_outputs[0] * x * x * 3.0, Tensor()};
  }
};

int main() {
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what);
    failures += ok ? 0 : 1;
  };

  char expected_version[32];
  std::snprintf(expected_version, sizeof expected_version, "%d.%d.%d", LUCID_VERSION_MAJOR, LUCID_VERSION_MINOR,
                LUCID_VERSION_PATCH);
  std::printf("lucid %s\n", lucid::version());
  check(std::strcmp(expected_version, lucid::version()) == 0, "lucid::version() matches LUCID_VERSION_*");

  // Model: Conv → GroupNorm+SiLU → Flatten → Linear, on 8 images of 2×6×6 with 2 classes.
  lucid::manual_seed(0);
  lucid::nn::Sequential model(lucid::nn::Conv2d(2, 8, {3, 3}, {.padding = {1, 1}}),
                              lucid::nn::GroupNorm(2, 8, {.activation = lucid::nn::Activation::silu}),
                              lucid::nn::Flatten(), lucid::nn::Linear(8 * 6 * 6, 2));
  const Tensor images = lucid::randn({8, 2, 6, 6});
  const Tensor labels = lucid::tensor(std::vector<std::int64_t>{0, 1, 0, 1, 1, 0, 1, 0}, {8});
  lucid::optim::AdamW optimizer(model.parameters(), {.lr = 1e-2});
  double first_loss = 0.0, last_loss = 0.0;
  for (int step = 0; step < 20; ++step) {
    optimizer.zero_grad();
    Tensor loss = lucid::nn::functional::cross_entropy(model(images), labels);
    loss.backward();
    optimizer.step();
    (step == 0 ? first_loss : last_loss) = loss.item<float>();
  }
  std::printf("training loss %.4f -> %.4f\n", first_loss, last_loss);
  check(last_loss < 0.5 * first_loss, "20 AdamW steps halve the loss");

  const Tensor x = lucid::randn({5}, lucid::float64, /*requires_grad=*/true);
  const auto cube_plus = [](const std::vector<Tensor>& in) { return CubePlus::apply(in[0], 2.0); };
  const lucid::autograd::GradcheckResult first = lucid::autograd::gradcheck(cube_plus, {x});
  check(first.ok, "gradcheck of CubePlus");
  const lucid::autograd::GradcheckResult second = lucid::autograd::gradgradcheck(cube_plus, {x});
  check(second.ok, "gradgradcheck of CubePlus");
  if (!first.ok) std::printf("%s\n", first.message.c_str());
  if (!second.ok) std::printf("%s\n", second.message.c_str());

  std::printf("%s\n", failures == 0 ? "consumer: all checks passed" : "consumer: FAILED");
  return failures == 0 ? 0 : 1;
}
