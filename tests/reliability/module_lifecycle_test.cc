// Create/destroy cycles of a model holding every layer type of modules/ (each activation, norm,
// convolution, pooling, Upsample, Dropout, Embedding, Flatten, Linear and loss, inside Sequential,
// ModuleList and ModuleDict containers): kCycles times, build the model and an AdamW optimizer, take
// one training step (forward, backward, step), and let everything go. Checked:
//   - every parameter and buffer is destroyed with its model (weak references expire): no reference
//     cycle through the graph, the optimizer or the containers keeps a model alive;
//   - under AddressSanitizer, LeakSanitizer finds no leaked allocation afterwards (an explicit check,
//     so a leak fails this test by name; CI's sanitizer stage also checks at exit, detect_leaks=1).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "lucid.h"
#include "tests/scoped_thread_count.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace lucid::test {
namespace {

constexpr int kCycles = 1000;
constexpr std::int64_t kLifecycleBatch = 2, kLifecycleClasses = 5;

// Every layer type in one model; its loss goes through every loss module.
class EveryLayerNet : public nn::Module {
 public:
  EveryLayerNet() {
    // (2, 3, 8, 8) → (2, 16)
    features_ = register_module(
        "features",
        std::make_shared<nn::Sequential>(
            nn::Conv2d(3, 8, 3, {.padding = {1, 1}}), nn::BatchNorm2d(8), nn::GroupNorm(2, 8),
            nn::InstanceNorm2d(8, {.affine = true}), nn::ReLU(), nn::SiLU(), nn::GELU(), nn::Tanh(), nn::Softplus(),
            nn::LeakyReLU(), nn::ELU(), nn::Hardtanh(), nn::Sigmoid(), nn::Identity(), nn::Dropout(0.1),
            nn::MaxPool2d(2), nn::Upsample({.scale_factor = 2.0}), nn::ConvTranspose2d(8, 4, 2, {.stride = 2}),
            nn::AvgPool2d(2), nn::AdaptiveAvgPool2d(4), nn::Flatten(), nn::Linear(64, 16), nn::BatchNorm1d(16),
            nn::LayerNorm({16}), nn::RMSNorm({16})));
    embedding_ = std::make_shared<nn::Embedding>(kLifecycleClasses, 16);
    norm1d_ = std::make_shared<nn::InstanceNorm1d>(4, nn::InstanceNormOptions{.affine = true});
    norm3d_ = std::make_shared<nn::InstanceNorm3d>(2, nn::InstanceNormOptions{.affine = true});
    auto side = register_module("side", std::make_shared<nn::ModuleDict>());
    side->insert("embedding", std::shared_ptr<nn::Module>(embedding_));
    side->insert("norm1d", std::shared_ptr<nn::Module>(norm1d_));
    side->insert("norm3d", std::shared_ptr<nn::Module>(norm3d_));
    head_ = register_module("head", std::make_shared<nn::Linear>(16, kLifecycleClasses));
    log_softmax_ = std::make_shared<nn::LogSoftmax>(1);
    softmax_ = std::make_shared<nn::Softmax>(1);
    cross_entropy_ = std::make_shared<nn::CrossEntropyLoss>();
    nll_ = std::make_shared<nn::NLLLoss>();
    mse_ = std::make_shared<nn::MSELoss>();
    auto losses = register_module("losses", std::make_shared<nn::ModuleList>());
    for (const std::shared_ptr<nn::Module>& m :
         std::vector<std::shared_ptr<nn::Module>>{log_softmax_, softmax_, cross_entropy_, nll_, mse_}) {
      losses->push_back(m);
    }
  }

  // The sum of the three losses of the classes predicted from images and ids, against targets.
  Tensor loss(const Tensor& images, const Tensor& ids, const Tensor& targets) {
    Tensor h = (*features_)(images);
    h = h + (*norm1d_)(h.reshape({kLifecycleBatch, 4, 4})).reshape({kLifecycleBatch, 16}) +
        (*norm3d_)(h.reshape({kLifecycleBatch, 2, 2, 2, 2})).reshape({kLifecycleBatch, 16}) + (*embedding_)(ids);
    const Tensor logits = (*head_)(h);
    return (*cross_entropy_)(logits, targets) + (*nll_)((*log_softmax_)(logits), targets) +
           (*mse_)((*softmax_)(logits), zeros({kLifecycleBatch, kLifecycleClasses}));
  }

 private:
  std::shared_ptr<nn::Sequential> features_;
  std::shared_ptr<nn::Embedding> embedding_;
  std::shared_ptr<nn::InstanceNorm1d> norm1d_;
  std::shared_ptr<nn::InstanceNorm3d> norm3d_;
  std::shared_ptr<nn::Linear> head_;
  std::shared_ptr<nn::LogSoftmax> log_softmax_;
  std::shared_ptr<nn::Softmax> softmax_;
  std::shared_ptr<nn::CrossEntropyLoss> cross_entropy_;
  std::shared_ptr<nn::NLLLoss> nll_;
  std::shared_ptr<nn::MSELoss> mse_;
};

// Builds the model and its optimizer, takes one training step, destroys both; returns weak references
// to the model's parameters and buffers.
std::vector<std::weak_ptr<TensorImpl>> one_model_lifetime(const Tensor& images, const Tensor& ids, const Tensor& targets) {
  auto net = std::make_shared<EveryLayerNet>();
  optim::AdamW optimizer(net->parameters(), {.lr = 1e-3});
  optimizer.zero_grad();
  net->loss(images, ids, targets).backward();
  optimizer.step();
  std::vector<std::weak_ptr<TensorImpl>> tensors;
  for (const Tensor& p : net->parameters()) tensors.push_back(p.impl());
  for (const Tensor& b : net->buffers()) tensors.push_back(b.impl());
  return tensors;
}

TEST(ModuleLifecycle, ThousandCreateDestroyCyclesOfEveryLayerTypeLeakNothing) {
  const ScopedThreadCount single_thread(1);
  manual_seed(3);
  const Tensor images = randn({kLifecycleBatch, 3, 8, 8});
  const Tensor ids = tensor(std::vector<std::int64_t>{1, 4}, {kLifecycleBatch});
  const Tensor targets = tensor(std::vector<std::int64_t>{0, 3}, {kLifecycleBatch});

  int cycles_with_survivors = 0;
  std::size_t tensors_per_model = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    const std::vector<std::weak_ptr<TensorImpl>> tensors = one_model_lifetime(images, ids, targets);
    tensors_per_model = tensors.size();
    for (const auto& t : tensors) {
      if (!t.expired()) {
        ++cycles_with_survivors;
        break;
      }
    }
  }
  // 24 parameters (weight and bias of Conv2d, ConvTranspose2d, both Linears, both BatchNorms, LayerNorm,
  // the three affine InstanceNorms and GroupNorm; RMSNorm's and Embedding's weight) and 6 buffers (each
  // BatchNorm's running mean, running variance and batch count).
  EXPECT_EQ(tensors_per_model, 30u) << "the probe did not see the model's tensors";
  EXPECT_EQ(cycles_with_survivors, 0) << "cycles whose model's tensors outlived the model";
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0) << "LeakSanitizer found leaked allocations (report above)";
#endif
}

}  // namespace
}  // namespace lucid::test
