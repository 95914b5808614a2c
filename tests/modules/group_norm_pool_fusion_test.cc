// Sequential's GroupNorm + activation + MaxPool2d(2) fusion (functional::detail::group_norm_max_pool2d,
// modules/epilogue_fusion.h) against the same Sequential with a hook on the pool, which runs the norm
// and the activation as the fused pair and the pool on its own: the output and the gradients of x,
// weight and bias must be equal bit for bit, since both run the same GroupNorm kernels and the same
// pooling rule. Every built-in activation, float32 and float64, planes whose
// rows of pooled outputs fill a SIMD vector, are narrower than one (the scalar pool) or leave an odd
// last row and column uncovered, batches of several kernel chunks, ties and a large common offset.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/scoped_thread_count.h"

namespace lucid::test {
namespace {

using nn::Module;

std::vector<std::shared_ptr<Module>> activations() {
  return {std::make_shared<nn::ReLU>(), std::make_shared<nn::SiLU>(), std::make_shared<nn::GELU>(),
          std::make_shared<nn::Sigmoid>(), std::make_shared<nn::Tanh>()};
}

// GroupNorm(groups, C) with a non-trivial affine map, `act`, MaxPool2d(2).
nn::Sequential make_net(std::int64_t groups, std::int64_t channels, DType dtype, std::shared_ptr<Module> act) {
  auto norm = std::make_shared<nn::GroupNorm>(groups, channels, nn::GroupNormOptions{.dtype = dtype});
  {
    autograd::no_grad guard;
    norm->weight.copy_(randn({channels}, dtype) * 0.5 + 1.0);
    norm->bias.copy_(randn({channels}, dtype) * 0.5);
  }
  nn::Sequential net;
  net.push_back(norm);
  net.push_back(std::move(act));
  net.push_back(std::make_shared<nn::MaxPool2d>(2));
  return net;
}

struct Outcome {
  std::string node;
  std::vector<double> y, dx, dweight, dbias;
};

// One forward and backward; with `pool_apart`, a no-op hook on the pool keeps it out of the fusion.
Outcome run(nn::Sequential& net, const Tensor& x_in, const Tensor& gy, bool pool_apart = false) {
  const Tensor x = x_in.detach().requires_grad_(true);
  net.zero_grad();
  std::optional<autograd::RemovableHandle> hook;
  if (pool_apart) {
    hook = net[2]->register_forward_hook([](Module&, const Tensor&, const Tensor&) { return std::optional<Tensor>(); });
  }
  const Tensor y = net(x);
  if (hook) hook->remove();
  Outcome r{y.grad_fn()->name(), y.to_vector<double>(), {}, {}, {}};
  (y * gy).sum().backward();
  auto& norm = static_cast<nn::GroupNorm&>(*net[0]);
  r.dx = x.grad().to_vector<double>();
  r.dweight = norm.weight.grad().to_vector<double>();
  r.dbias = norm.bias.grad().to_vector<double>();
  return r;
}

TEST(GroupNormPoolFusion, MatchesThePairAndThePoolBitForBit) {
  struct Case {
    Shape shape;
    std::int64_t groups;
    double offset;
  };
  const std::vector<Case> cases = {
      {{3, 8, 28, 28}, 2, 0.0},   // 14 pooled columns: a full vector and an overlapping one
      {{2, 4, 7, 9}, 2, 0.0},     // 3×4 pooled, the last row and column never read
      {{5, 6, 6, 5}, 3, 1e3},     // 2 pooled columns: the scalar pool; a large common offset
      {{1, 4, 2, 2}, 4, 0.0},     // one window per plane
      {{17, 8, 12, 16}, 4, 0.0},  // many items: several chunks of the kernels
  };
  for (const DType dtype : {float32, float64}) {
    for (const Case& c : cases) {
      for (const std::shared_ptr<Module>& act : activations()) {
        SCOPED_TRACE(std::string(dtype_name(dtype)) + " " + c.shape.str() + " " + act->name());
        manual_seed(3);
        nn::Sequential net = make_net(c.groups, c.shape[1], dtype, act);
        // Values on a coarse grid, so that windows hold ties.
        const Tensor x = (randn(c.shape, dtype) * 4.0).round() * 0.25 + c.offset;
        const Tensor gy = randn({c.shape[0], c.shape[1], c.shape[2] / 2, c.shape[3] / 2}, dtype);
        const Outcome fused = run(net, x, gy);
        const Outcome plain = run(net, x, gy, /*pool_apart=*/true);
        EXPECT_EQ(fused.node, "GroupNormMaxPool2dBackward");
        EXPECT_EQ(plain.node, "MaxPool2dBackward");
        EXPECT_EQ(fused.y, plain.y);
        EXPECT_EQ(fused.dx, plain.dx);
        EXPECT_EQ(fused.dweight, plain.dweight);
        EXPECT_EQ(fused.dbias, plain.dbias);
      }
    }
  }
}

TEST(GroupNormPoolFusion, BitIdenticalWithOneAndTwoThreads) {
  manual_seed(4);
  nn::Sequential net = make_net(8, 32, float32, std::make_shared<nn::SiLU>());
  const Tensor x = randn({16, 32, 28, 28});
  const Tensor gy = randn({16, 32, 14, 14});
  Outcome runs[2];
  for (const int threads : {1, 2}) {
    const ScopedThreadCount scope(threads);
    runs[threads - 1] = run(net, x, gy);
  }
  EXPECT_EQ(runs[0].node, "GroupNormMaxPool2dBackward");
  EXPECT_EQ(runs[0].y, runs[1].y);
  EXPECT_EQ(runs[0].dx, runs[1].dx);
  EXPECT_EQ(runs[0].dweight, runs[1].dweight);
  EXPECT_EQ(runs[0].dbias, runs[1].dbias);
}

// Where the pool could be observed, is not MaxPool2d(2), or would reject the input, the modules run as
// usual (the norm and the activation still as a fused pair) and raise their own errors.
TEST(GroupNormPoolFusion, TriplesThatDoNotFuse) {
  const auto last_node = [](nn::Sequential& net, const Tensor& x) { return std::string(net(x).grad_fn()->name()); };
  const Tensor x = randn({2, 4, 6, 6}).requires_grad_(true);
  {
    nn::Sequential net(nn::GroupNorm(2, 4), nn::SiLU(), nn::MaxPool2d(2));
    int seen = 0;
    auto handle = net[2]->register_forward_hook([&](Module&, const Tensor&, const Tensor&) {
      ++seen;
      return std::optional<Tensor>();
    });
    EXPECT_EQ(last_node(net, x), "MaxPool2dBackward");
    EXPECT_EQ(seen, 1);
    handle.remove();
    EXPECT_EQ(last_node(net, x), "GroupNormMaxPool2dBackward");
  }
  {
    nn::Sequential net(nn::GroupNorm(2, 4), nn::SiLU(), nn::MaxPool2d(2, {.stride = 1}));
    EXPECT_EQ(last_node(net, x), "MaxPool2dBackward");
  }
  {
    nn::Sequential net(nn::GroupNorm(2, 4), nn::SiLU(), nn::MaxPool2d(3));
    EXPECT_EQ(last_node(net, x), "MaxPool2dBackward");
  }
  {
    nn::Sequential net(nn::GroupNorm(2, 4), nn::SiLU(), nn::MaxPool2d(2));
    const Tensor row = randn({2, 4, 1, 6});  // fewer than 2 rows: max_pool2d's own error
    EXPECT_THROW(net(row), ValueError);
    EXPECT_THROW(net(randn({2, 4, 6})), ValueError);  // 3-D: max_pool2d's own error
  }
}

// max_pool2d has no double backward; fused or not, create_graph raises the same RuntimeError.
TEST(GroupNormPoolFusion, CreateGraphRaisesAsMaxPool2dDoes) {
  nn::Sequential net(nn::GroupNorm(2, 4), nn::SiLU(), nn::MaxPool2d(2));
  for (const bool fuse : {true, false}) {
    net.fuse_activations = fuse;
    const Tensor x = randn({2, 4, 6, 6}).requires_grad_(true);
    const Tensor y = net(x).sum();
    EXPECT_THROW(autograd::grad(y, {x}, {}, /*retain_graph=*/false, /*create_graph=*/true), RuntimeError);
  }
}

}  // namespace
}  // namespace lucid::test
