// BatchNorm1d/2d, InstanceNorm1d/2d/3d and their functional forms beyond the golden values
// (batch_norm_parity_test.cc): gradcheck and gradgradcheck in float64 (training and evaluation, every
// activation epilogue), PyTorch's reprs and state_dict names, loading, bad input (docs/BAD_INPUT.md)
// leaving the module unchanged, the fused Sequential pair, and results bit-identical with 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "autodiff/gradcheck_gtest.h"
#include "lucid.h"
#include "tests/scoped_thread_count.h"
#include "tests/golden_util.h"
#include "tests/modules/activation_util.h"
#include "tests/test_util.h"

namespace batch_norm_test {

using lucid::Tensor;
using lucid::nn::Activation;
using lucid::test::activation_param_name;
using lucid::test::kEveryActivation;
using lucid::nn::BatchNorm1d;
using lucid::nn::BatchNorm2d;
using lucid::nn::InstanceNorm1d;
using lucid::nn::InstanceNorm2d;
using lucid::nn::InstanceNorm3d;
namespace F = lucid::nn::functional;
namespace golden = lucid::test::golden;

std::vector<std::string> state_keys(const lucid::nn::Module& module) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : module.state_dict()) keys.push_back(key);
  return keys;
}

class BatchNormGradients : public ::testing::TestWithParam<Activation> {};

// Training (batch statistics, buffers updated on every call gradcheck makes) and evaluation (running
// statistics), with and without affine; (N, C, L) with N·L = 15 values per channel.
TEST_P(BatchNormGradients, FirstAndSecondOrderInTrainingAndEval) {
  lucid::manual_seed(51);
  const Activation act = GetParam();
  const Tensor running_mean = lucid::randn({4}, lucid::float64), running_var = lucid::abs(lucid::randn({4}, lucid::float64)) + 0.5;
  const std::vector<Tensor> inputs{lucid::randn({3, 4, 5}, lucid::float64, true),
                                   lucid::randn({4}, lucid::float64, true), lucid::randn({4}, lucid::float64, true)};
  for (bool training : {true, false}) {
    SCOPED_TRACE(training ? "training" : "eval");
    const Tensor rm = running_mean.clone(), rv = running_var.clone();
    const auto fn = [&](const std::vector<Tensor>& in) {
      return F::batch_norm(in[0], rm, rv, in[1], in[2], training, 0.1, 1e-5, act);
    };
    EXPECT_GRADCHECK(fn, inputs);
    EXPECT_GRADGRADCHECK(fn, inputs);
    const auto plain = [&](const std::vector<Tensor>& in) { return F::batch_norm(in[0], rm, rv, {}, {}, training, 0.1, 1e-5, act); };
    EXPECT_GRADCHECK(plain, {inputs[0]});
    EXPECT_GRADGRADCHECK(plain, {inputs[0]});
  }
}

// Instance statistics per (n, c) over 7 spatial values, and the running statistics' evaluation.
TEST_P(BatchNormGradients, InstanceNormFirstAndSecondOrder) {
  lucid::manual_seed(52);
  const Activation act = GetParam();
  const Tensor rm = lucid::randn({3}, lucid::float64), rv = lucid::abs(lucid::randn({3}, lucid::float64)) + 0.5;
  const std::vector<Tensor> inputs{lucid::randn({2, 3, 7}, lucid::float64, true),
                                   lucid::randn({3}, lucid::float64, true), lucid::randn({3}, lucid::float64, true)};
  for (bool use_input_stats : {true, false}) {
    const auto fn = [&](const std::vector<Tensor>& in) {
      return F::instance_norm(in[0], rm, rv, in[1], in[2], use_input_stats, 0.1, 1e-5, act);
    };
    EXPECT_GRADCHECK(fn, inputs);
    EXPECT_GRADGRADCHECK(fn, inputs);
  }
}

INSTANTIATE_TEST_SUITE_P(Activations, BatchNormGradients, ::testing::ValuesIn(kEveryActivation),
                         activation_param_name);

TEST(BatchNormModule, ReprAndStateDictAsPyTorch) {
  BatchNorm2d bn(64);
  EXPECT_EQ(bn.repr(), "BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  EXPECT_EQ(BatchNorm1d(16, {.momentum = std::nullopt, .affine = false, .activation = Activation::silu}).repr(),
            "BatchNorm1d(16, eps=1e-05, momentum=None, affine=False, track_running_stats=True, activation=SiLU)");
  EXPECT_EQ(InstanceNorm2d(8).repr(), "InstanceNorm2d(8, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
  EXPECT_EQ(InstanceNorm3d(3, {.eps = 1e-3, .affine = true, .track_running_stats = true}).repr(),
            "InstanceNorm3d(3, eps=0.001, momentum=0.1, affine=True, track_running_stats=True)");
  EXPECT_EQ(state_keys(bn), (std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(bn.running_mean.to_vector<float>(), std::vector<float>(64, 0.0f));
  EXPECT_EQ(bn.running_var.to_vector<float>(), std::vector<float>(64, 1.0f));
  EXPECT_EQ(bn.num_batches_tracked.dtype(), lucid::int64);
  EXPECT_EQ(bn.num_batches_tracked.dim(), 0);
  EXPECT_EQ(bn.parameters().size(), 2u);
  EXPECT_EQ(state_keys(BatchNorm2d(4, {.affine = false, .track_running_stats = false})), std::vector<std::string>{});
  EXPECT_EQ(state_keys(InstanceNorm1d(4)), std::vector<std::string>{});
  EXPECT_EQ(state_keys(InstanceNorm1d(4, {.track_running_stats = true})),
            (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(BatchNorm2d(4, {.dtype = lucid::float64}).running_var.dtype(), lucid::float64);
}

// A model's state round-trips through state_dict/load_state_dict; a failed load (one entry of the wrong
// shape) leaves every tensor of the module unchanged.
TEST(BatchNormModule, LoadStateDictAllOrNothing) {
  lucid::manual_seed(53);
  BatchNorm2d trained(3);
  for (int step = 0; step < 2; ++step) trained(lucid::randn({4, 3, 5, 5}) + 2.0);
  BatchNorm2d fresh(3);
  fresh.load_state_dict(trained.state_dict());
  EXPECT_EQ(fresh.running_mean.to_vector<float>(), trained.running_mean.to_vector<float>());
  EXPECT_EQ(fresh.num_batches_tracked.to_vector<std::int64_t>(), std::vector<std::int64_t>{2});

  lucid::nn::StateDict bad;
  for (const auto& [key, value] : trained.state_dict()) bad.insert_or_assign(key, value.clone());
  bad.insert_or_assign("running_var", lucid::ones({4}));
  BatchNorm2d target(3);
  const std::string message = lucid::test::error_message<lucid::ValueError>([&] { target.load_state_dict(bad); });
  EXPECT_NE(message.find("running_var"), std::string::npos) << message;
  EXPECT_EQ(target.running_mean.to_vector<float>(), std::vector<float>(3, 0.0f));
  EXPECT_EQ(target.running_var.to_vector<float>(), std::vector<float>(3, 1.0f));
  EXPECT_EQ(target.num_batches_tracked.to_vector<std::int64_t>(), std::vector<std::int64_t>{0});
}

// Buffers follow PyTorch's update only in training mode; num_batches_tracked counts the steps; momentum
// unset is the cumulative average (here two batches: the buffers are the plain average of both).
TEST(BatchNormModule, BuffersMoveOnlyInTraining) {
  lucid::manual_seed(54);
  BatchNorm1d bn(2, {.momentum = std::nullopt, .dtype = lucid::float64});
  const Tensor a = lucid::randn({6, 2}, lucid::float64), b = lucid::randn({6, 2}, lucid::float64) + 3.0;
  bn(a);
  bn(b);
  const Tensor expected_mean = (a.mean({0}) + b.mean({0})) * 0.5;
  const Tensor expected_var = (a.var({0}) + b.var({0})) * 0.5;
  EXPECT_TRUE(golden::all_close(bn.running_mean, expected_mean, 1e-14, 1e-14));
  EXPECT_TRUE(golden::all_close(bn.running_var, expected_var, 1e-14, 1e-14));
  bn.eval();
  const std::vector<double> before = bn.running_mean.to_vector<double>();
  const Tensor y = bn(a);
  EXPECT_EQ(bn.running_mean.to_vector<double>(), before);
  EXPECT_EQ(bn.num_batches_tracked.to_vector<std::int64_t>(), std::vector<std::int64_t>{2});
  EXPECT_TRUE(golden::all_close(y, (a - bn.running_mean) / lucid::sqrt(bn.running_var + 1e-5), 1e-14, 1e-14));
}

// Bad input (docs/BAD_INPUT.md): ValueError naming the values, and no buffer moves.
TEST(BatchNormModule, BadInputRaisesAndChangesNothing) {
  BatchNorm2d bn(4);
  auto expect_unchanged = [&] {
    EXPECT_EQ(bn.running_mean.to_vector<float>(), std::vector<float>(4, 0.0f));
    EXPECT_EQ(bn.running_var.to_vector<float>(), std::vector<float>(4, 1.0f));
    EXPECT_EQ(bn.num_batches_tracked.to_vector<std::int64_t>(), std::vector<std::int64_t>{0});
  };
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([&] { bn(lucid::randn({2, 3, 5, 5})); }),
            "BatchNorm2d: expected input with 4 channels (dimension 1), got shape (2, 3, 5, 5)");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([&] { bn(lucid::randn({2, 4, 5})); }),
            "BatchNorm2d: expected 4D input (got 3D input)");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([&] { BatchNorm1d(4)(lucid::randn({1, 4})); }),
            "batch_norm: expected more than 1 value per channel when training, got input of shape (1, 4)");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([&] { bn(lucid::randn({1, 4, 1, 1})); }),
            "batch_norm: expected more than 1 value per channel when training, got input of shape (1, 4, 1, 1)");
  expect_unchanged();
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([&] { bn(lucid::randn({2, 4, 3, 3}, lucid::float64)); }),
            "batch_norm: running_mean has dtype float32 but the input has dtype float64");
  expect_unchanged();
  bn.eval();
  EXPECT_EQ(bn(lucid::randn({1, 4, 1, 1})).shape(), lucid::Shape({1, 4, 1, 1}));  // eval: one value is fine
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([] { BatchNorm2d(0); }), "BatchNorm2d: num_features (0) must be positive");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([] { InstanceNorm1d(3, {.eps = -1.0}); }),
            "InstanceNorm1d: eps (-1.0) must be non-negative");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([] { F::batch_norm(lucid::randn({2, 3}), {}, {}); }),
            "batch_norm: running_mean and running_var are required when not training (training=false)");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([] { F::batch_norm(lucid::randn({2, 3}), {}, {}, lucid::ones({2}), {}, true); }),
            "batch_norm: weight of shape (2,) does not match the input's 3 channels (dimension 1 of shape (2, 3)): "
            "expected shape (3,)");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([] { InstanceNorm2d(3)(lucid::randn({2, 3, 1, 1})); }),
            "instance_norm: expected more than 1 spatial element when training, got input of shape (2, 3, 1, 1)");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([] { InstanceNorm2d(3, {.affine = true})(lucid::randn({2, 4, 5, 5})); }),
            "InstanceNorm2d: expected input with 3 channels (dimension 1), got shape (2, 4, 5, 5)");
  EXPECT_EQ(lucid::test::error_message<lucid::ValueError>([] { InstanceNorm1d(3)(lucid::randn({2, 3, 4, 5})); }),
            "InstanceNorm1d: expected 2D or 3D input (got 4D input)");
}

// InstanceNorm without affine or running statistics accepts any channel count (PyTorch warns), and an
// unbatched input equals the batch of one.
TEST(BatchNormModule, InstanceNormChannelsAndUnbatchedInput) {
  lucid::manual_seed(55);
  const Tensor x = lucid::randn({5, 6, 7}, lucid::float64);
  InstanceNorm2d in(3);
  const Tensor batched = in(x.unsqueeze(0));
  EXPECT_TRUE(golden::all_close(in(x), batched.squeeze(0), 0, 0));
  EXPECT_TRUE(golden::all_close(batched, F::group_norm(x.unsqueeze(0), 5), 0, 0));
}

class BatchNormSequential : public ::testing::TestWithParam<Activation> {};

// Sequential(BatchNorm2d, act) and Sequential(InstanceNorm2d, act) equal the separate calls; the
// instance pair runs as GroupNorm's fused node; the buffers move once per call.
TEST_P(BatchNormSequential, FusedPairEqualsTheSeparateCalls) {
  lucid::manual_seed(56);
  const Activation act = GetParam();
  auto bn = std::make_shared<BatchNorm2d>(3, lucid::nn::BatchNormOptions{.dtype = lucid::float64});
  lucid::nn::Sequential net(bn, lucid::test::activation_module(act));
  lucid::nn::Sequential in_net(InstanceNorm2d(3, {.affine = true, .dtype = lucid::float64}), lucid::test::activation_module(act));
  for (Tensor p : net.parameters()) lucid::nn::init::uniform_(p, 0.5, 1.5);
  const Tensor x = lucid::randn({4, 3, 5, 6}, lucid::float64, true), x_ref = x.detach().requires_grad_();
  const Tensor y = net(x);
  EXPECT_EQ(bn->num_batches_tracked.to_vector<std::int64_t>(), std::vector<std::int64_t>{1});
  y.sum().backward();
  const std::vector<double> running = bn->running_mean.to_vector<double>();
  bn->running_mean.fill_(0.0);
  net.fuse_activations = false;
  const Tensor y_ref = net(x_ref);
  y_ref.sum().backward();
  EXPECT_EQ(bn->running_mean.to_vector<double>(), running);
  EXPECT_TRUE(golden::all_close(y, y_ref, 1e-12, 1e-12));
  EXPECT_TRUE(golden::all_close(x.grad(), x_ref.grad(), 1e-12, 1e-12));
  const Tensor z = in_net(x.detach());
  EXPECT_EQ(std::string(in_net(x).grad_fn()->name()),
            "GroupNorm" + std::string(lucid::nn::activation_name(act)) + "Backward");
  in_net.fuse_activations = false;
  EXPECT_TRUE(golden::all_close(z, in_net(x.detach()), 1e-12, 1e-12));
}

INSTANTIATE_TEST_SUITE_P(Activations, BatchNormSequential, ::testing::ValuesIn(std::span(kEveryActivation).subspan(1)),
                         activation_param_name);

template <typename T>
std::vector<unsigned char> bytes_of(const Tensor& t) {
  std::vector<unsigned char> out(static_cast<std::size_t>(t.numel()) * sizeof(T));
  std::memcpy(out.data(), t.contiguous().data<T>(), out.size());
  return out;
}

// Training forward, backward and buffers are bit-identical with 1 and 2 threads (7 channels: an uneven
// split), for BatchNorm2d and InstanceNorm2d.
template <typename T, class Norm>
void expect_same_bits_with_1_and_2_threads(lucid::DType dtype) {
  lucid::manual_seed(57);
  const Tensor x0 = lucid::randn({5, 7, 9, 11}, dtype) * 3.0 + 2.0, dy = lucid::randn({5, 7, 9, 11}, dtype);
  std::vector<std::vector<unsigned char>> results[2];
  for (int threads : {1, 2}) {
    const lucid::test::ScopedThreadCount thread_count(threads);
    Norm norm(7, {.affine = true, .track_running_stats = true, .activation = Activation::silu, .dtype = dtype});
    const Tensor x = x0.clone().requires_grad_();
    const Tensor y = norm(x);
    y.backward(dy);
    results[threads - 1] = {bytes_of<T>(y), bytes_of<T>(x.grad()), bytes_of<T>(norm.weight.grad()),
                            bytes_of<T>(norm.bias.grad()), bytes_of<T>(norm.running_mean), bytes_of<T>(norm.running_var)};
  }
  const char* names[] = {"y", "dx", "dweight", "dbias", "running_mean", "running_var"};
  for (std::size_t k = 0; k < 6; ++k) EXPECT_TRUE(results[0][k] == results[1][k]) << names[k];
}

TEST(BatchNormThreads, BitIdenticalFloat32) {
  expect_same_bits_with_1_and_2_threads<float, BatchNorm2d>(lucid::float32);
  expect_same_bits_with_1_and_2_threads<float, InstanceNorm2d>(lucid::float32);
}
TEST(BatchNormThreads, BitIdenticalFloat64) {
  expect_same_bits_with_1_and_2_threads<double, BatchNorm2d>(lucid::float64);
  expect_same_bits_with_1_and_2_threads<double, InstanceNorm2d>(lucid::float64);
}

}  // namespace batch_norm_test
