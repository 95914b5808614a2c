// Module hooks (modules/module_hooks.h): forward pre-hooks and forward hooks around Module::operator(),
// full backward hooks seeing grad_input and grad_output (checked against the closed form of a linear
// layer), replacement of input, output and grad_input, removal, hooks on a Sequential's children.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace lucid::test {
namespace {

using autograd::TensorList;
using nn::Linear;
using nn::Module;

// y = x·Wᵀ + b with W (out, in) row-major, float64.
Linear linear(std::int64_t in, std::int64_t out, const std::vector<double>& w, const std::vector<double>& b) {
  Linear layer(in, out, {.dtype = float64});
  autograd::no_grad guard;
  layer.weight.copy_(tensor(w, {out, in}));
  layer.bias.copy_(tensor(b, {out}));
  return layer;
}

const std::vector<double> kW = {1, 2, 3, 4, 5, 6};  // (2, 3)
const std::vector<double> kB = {0.5, -0.5};
const std::vector<double> kX = {1, 0, -1, 2, 1, 0};  // (2, 3)
const std::vector<double> kC = {1, 2, 3, 4};         // (2, 2): loss = Σ y·c, so dloss/dy = c
// kX·kWᵀ + kB
const std::vector<double> kY = {-1.5, -2.5, 4.5, 12.5};
// c·W, the gradient w.r.t. the input
const std::vector<double> kCW = {9, 12, 15, 19, 26, 33};

Tensor loss_of(const Tensor& y) { return (y * tensor(kC, {2, 2})).sum(); }

TEST(ModuleHook, ForwardPreHookSeesTheInputAndMayReplaceIt) {
  Linear fc = linear(3, 2, kW, kB);
  const Tensor x = tensor(kX, {2, 3});
  Module* seen_module = nullptr;
  std::vector<double> seen;
  auto handle = fc.register_forward_pre_hook([&](Module& m, const Tensor& in) -> std::optional<Tensor> {
    seen_module = &m;
    seen = in.to_vector<double>();
    return in * 2.0;
  });
  const Tensor y = fc(x);
  EXPECT_EQ(seen_module, &fc);
  EXPECT_EQ(seen, kX);
  expect_values_near(y, {2, 2}, {-3.5, -4.5, 8.5, 25.5}, 1e-12);  // 2x·Wᵀ + b
  handle.remove();
  expect_values_near(fc(x), {2, 2}, kY, 1e-12);
}

TEST(ModuleHook, ForwardHookSeesInputAndOutputAndMayReplaceTheOutput) {
  Linear fc = linear(3, 2, kW, kB);
  const Tensor x = tensor(kX, {2, 3});
  std::vector<double> seen_in, seen_out;
  fc.register_forward_pre_hook([](Module&, const Tensor& in) -> std::optional<Tensor> { return in * 2.0; });
  fc.register_forward_hook([&](Module&, const Tensor& in, const Tensor& out) -> std::optional<Tensor> {
    seen_in = in.to_vector<double>();
    seen_out = out.to_vector<double>();
    return out + 1.0;
  });
  const Tensor y = fc(x);
  EXPECT_EQ(seen_in, map_values(tensor(kX, {2, 3}), [](double v) { return 2 * v; }));  // what forward() got
  expect_values_near(tensor(seen_out, {2, 2}), {2, 2}, {-3.5, -4.5, 8.5, 25.5}, 1e-12);
  expect_values_near(y, {2, 2}, {-2.5, -3.5, 9.5, 26.5}, 1e-12);
}

TEST(ModuleHook, HooksRunInRegistrationOrderAndRemoveIndependently) {
  Linear fc = linear(3, 2, kW, kB);
  std::string order;
  auto a = fc.register_forward_hook([&](Module&, const Tensor&, const Tensor&) -> std::optional<Tensor> {
    order += 'a';
    return std::nullopt;
  });
  auto b = fc.register_forward_hook([&](Module&, const Tensor&, const Tensor&) -> std::optional<Tensor> {
    order += 'b';
    return std::nullopt;
  });
  auto p = fc.register_forward_pre_hook([&](Module&, const Tensor&) -> std::optional<Tensor> {
    order += 'p';
    return std::nullopt;
  });
  fc(tensor(kX, {2, 3}));
  EXPECT_EQ(order, "pab");
  a.remove();
  a.remove();  // twice: harmless
  fc(tensor(kX, {2, 3}));
  EXPECT_EQ(order, "pabpb");
  b.remove();
  p.remove();
  const Tensor y = fc(tensor(kX, {2, 3}));  // every hook removed: a plain forward
  EXPECT_EQ(order, "pabpb");
  expect_values_near(y, {2, 2}, kY, 1e-12);
}

TEST(ModuleHook, ForwardCalledDirectlyRunsNoHooks) {
  Linear fc = linear(3, 2, kW, kB);
  int calls = 0;
  fc.register_forward_hook([&](Module&, const Tensor&, const Tensor&) -> std::optional<Tensor> {
    ++calls;
    return std::nullopt;
  });
  fc.forward(tensor(kX, {2, 3}));
  EXPECT_EQ(calls, 0);
}

TEST(ModuleHook, FullBackwardHookSeesGradInputAndGradOutput) {
  Linear fc = linear(3, 2, kW, kB);
  const Tensor x = tensor(kX, {2, 3}, true);
  int calls = 0;
  fc.register_full_backward_hook([&](Module& m, const TensorList& grad_input,
                                     const TensorList& grad_output) -> std::optional<TensorList> {
    ++calls;
    EXPECT_EQ(&m, &fc);
    EXPECT_EQ(grad_input.size(), 1u);
    EXPECT_EQ(grad_output.size(), 1u);
    expect_values_near(grad_output[0], {2, 2}, kC, 0.0);
    expect_values_near(grad_input[0], {2, 3}, kCW, 1e-12);
    return std::nullopt;
  });
  const Tensor y = fc(x);
  expect_values_near(y, {2, 2}, kY, 1e-12);
  loss_of(y).backward();
  EXPECT_EQ(calls, 1);
  expect_values_near(x.grad(), {2, 3}, kCW, 1e-12);
  // The parameters' gradients are untouched by the identity nodes: dW = cᵀ·x, db = Σ c.
  expect_values_near(fc.weight.grad(), {2, 3}, {7, 3, -1, 10, 4, -2}, 1e-12);
  expect_values_near(fc.bias.grad(), {2}, {4, 6}, 1e-12);
}

TEST(ModuleHook, FullBackwardHookMayReplaceGradInput) {
  Linear fc = linear(3, 2, kW, kB);
  const Tensor x = tensor(kX, {2, 3}, true);
  fc.register_full_backward_hook([](Module&, const TensorList& grad_input,
                                    const TensorList&) -> std::optional<TensorList> {
    return TensorList{grad_input[0] * -1.0};
  });
  loss_of(fc(x)).backward();
  expect_values_near(x.grad(), {2, 3}, map_values(tensor(kCW, {6}), [](double v) { return -v; }), 1e-12);
}

TEST(ModuleHook, FullBackwardHookWhenTheInputNeedsNoGradient) {
  Linear fc = linear(3, 2, kW, kB);
  int calls = 0;
  fc.register_full_backward_hook([&](Module&, const TensorList& grad_input,
                                     const TensorList& grad_output) -> std::optional<TensorList> {
    ++calls;
    EXPECT_EQ(grad_input.size(), 1u);
    EXPECT_FALSE(grad_input[0].defined());
    expect_values_near(grad_output[0], {2, 2}, kC, 0.0);
    return std::nullopt;
  });
  loss_of(fc(tensor(kX, {2, 3}))).backward();
  EXPECT_EQ(calls, 1);
  expect_values_near(fc.bias.grad(), {2}, {4, 6}, 1e-12);
}

TEST(ModuleHook, RemovedFullBackwardHookDoesNotRunForGraphsAlreadyBuilt) {
  Linear fc = linear(3, 2, kW, kB);
  const Tensor x = tensor(kX, {2, 3}, true);
  int calls = 0;
  auto handle = fc.register_full_backward_hook([&](Module&, const TensorList&, const TensorList&) -> std::optional<TensorList> {
    ++calls;
    return std::nullopt;
  });
  const Tensor y = fc(x);
  handle.remove();
  loss_of(y).backward();
  EXPECT_EQ(calls, 0);
  expect_values_near(x.grad(), {2, 3}, kCW, 1e-12);
}

TEST(ModuleHook, NoBackwardHookSetUpUnderNoGrad) {
  Linear fc = linear(3, 2, kW, kB);
  fc.register_full_backward_hook([](Module&, const TensorList&, const TensorList&) -> std::optional<TensorList> {
    return std::nullopt;
  });
  autograd::no_grad guard;
  const Tensor y = fc(tensor(kX, {2, 3}, true));
  EXPECT_FALSE(y.requires_grad());
  expect_values_near(y, {2, 2}, kY, 1e-12);
}

TEST(ModuleHook, HooksOnTheChildrenOfASequential) {
  // net = fc2 ∘ fc1; loss = Σ y·c. fc2 sees grad_output c and grad_input c·W2; fc1 sees grad_output
  // c·W2 and grad_input c·W2·W1. Backward hooks run from the output back.
  const std::vector<double> w2 = {1, -1, 2, 0};  // (2, 2)
  nn::Sequential net(linear(3, 2, kW, kB), linear(2, 2, w2, {0, 0}));
  const Tensor x = tensor(kX, {2, 3}, true);
  std::vector<std::string> forward_order;
  std::vector<std::string> backward_order;
  std::vector<std::vector<double>> grad_outputs, grad_inputs;
  for (const auto& [name, child] : net.named_children()) {
    child->register_forward_hook([&, n = name](Module&, const Tensor&, const Tensor& out) -> std::optional<Tensor> {
      forward_order.push_back(n + out.shape().str());
      return std::nullopt;
    });
    child->register_full_backward_hook([&, n = name](Module&, const TensorList& gi,
                                                     const TensorList& go) -> std::optional<TensorList> {
      backward_order.push_back(n);
      grad_inputs.push_back(gi[0].to_vector<double>());
      grad_outputs.push_back(go[0].to_vector<double>());
      return std::nullopt;
    });
  }
  int net_pre_calls = 0;
  net.register_forward_pre_hook([&](Module&, const Tensor&) -> std::optional<Tensor> {
    ++net_pre_calls;
    return std::nullopt;
  });
  loss_of(net(x)).backward();
  EXPECT_EQ(net_pre_calls, 1);
  EXPECT_EQ(forward_order, (std::vector<std::string>{"0(2, 2)", "1(2, 2)"}));
  EXPECT_EQ(backward_order, (std::vector<std::string>{"1", "0"}));
  const std::vector<double> c_w2 = {5, -1, 11, -3};                  // c·W2
  const std::vector<double> c_w2_w1 = {1, 5, 9, -1, 7, 15};          // c·W2·W1
  ASSERT_EQ(grad_outputs.size(), 2u);
  expect_values_near(tensor(grad_outputs[0], {4}), {4}, kC, 0.0);
  expect_values_near(tensor(grad_inputs[0], {4}), {4}, c_w2, 1e-12);
  expect_values_near(tensor(grad_outputs[1], {4}), {4}, c_w2, 1e-12);
  expect_values_near(tensor(grad_inputs[1], {6}), {6}, c_w2_w1, 1e-12);
  expect_values_near(x.grad(), {2, 3}, c_w2_w1, 1e-12);
}

}  // namespace
}  // namespace lucid::test
