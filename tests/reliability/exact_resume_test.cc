// Exact resume (issue 20, item 4): training for 2 epochs equals training 1 epoch, checkpointing to
// safetensors files, and resuming in freshly made objects for the second, bit for bit. The machinery
// is examples/fashion_mnist's (AdamW, a cosine schedule stepped per batch, a shuffled DataLoader
// resumed with set_epoch) on a small synthetic dataset and model. Like the example's model, this one
// draws no random numbers after initialisation (no Dropout), so the checkpoint holds no generator
// state: lucid::Generator has none to save yet.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "tests/modules/file_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

constexpr std::int64_t kResumeSamples = 100, kResumeBatch = 16;  // 7 batches per epoch, the last short
constexpr std::int64_t kResumeEpochs = 2;

data::Dataset resume_dataset() {
  manual_seed(11);
  return {randn({kResumeSamples, 8}), randint(0, 3, {kResumeSamples})};
}

// One training run as the example sets it up, its model initialised after manual_seed(init_seed).
struct ResumeRun {
  std::shared_ptr<nn::Sequential> model;
  optim::AdamW optimizer;
  data::DataLoader loader;
  optim::CosineAnnealingLR schedule;

  ResumeRun(const data::Dataset& data, std::uint64_t init_seed)
      : model((manual_seed(init_seed),
               std::make_shared<nn::Sequential>(nn::Linear(8, 16), nn::GroupNorm(4, 16), nn::ReLU(), nn::Linear(16, 3)))),
        optimizer(model->parameters(), {.lr = 0.02}),
        loader(data, {.batch_size = kResumeBatch, .shuffle = true, .seed = 5}),
        schedule(optimizer, loader.size() * kResumeEpochs) {}

  void train_epoch() {
    model->train();
    for (const data::Batch& batch : loader) {
      optimizer.zero_grad();
      nn::functional::cross_entropy((*model)(batch.images), batch.targets).backward();
      optimizer.step();
      schedule.step();
    }
  }
};

// Every tensor of the dict as raw bytes, by name, for bit-for-bit comparison.
std::vector<std::pair<std::string, std::vector<std::uint8_t>>> resume_bytes(const nn::StateDict& dict) {
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> out;
  for (const auto& [name, tensor] : dict) {
    const Tensor dense = tensor.contiguous();
    const auto* begin = static_cast<const std::uint8_t*>(dense.impl()->storage->data()) +
                        static_cast<std::size_t>(dense.impl()->offset) * element_size(dense.dtype());
    out.emplace_back(name, std::vector<std::uint8_t>(begin, begin + dense.numel() * element_size(dense.dtype())));
  }
  return out;
}

TEST(ExactResume, OneEpochCheckpointAndResumeEqualsTwoEpochs) {
  const data::Dataset data = resume_dataset();
  ResumeRun straight(data, 1);
  straight.train_epoch();
  const auto after_one_epoch = resume_bytes(straight.model->state_dict());
  straight.train_epoch();
  ASSERT_NE(resume_bytes(straight.model->state_dict()), after_one_epoch) << "the second epoch changed nothing";

  TempDir dir;
  {
    ResumeRun first(data, 1);
    first.train_epoch();
    save(*first.model, dir / "model.safetensors", {{"epoch", "1"}});
    save(first.optimizer.state_dict(), dir / "optimizer.safetensors");
    save(first.schedule.state_dict(), dir / "schedule.safetensors");
  }
  // Another initialisation, so that every value must come from the checkpoint.
  ResumeRun resumed(data, 2);
  load(*resumed.model, dir / "model.safetensors");
  resumed.optimizer.load_state_dict(load_state_dict(dir / "optimizer.safetensors"));
  resumed.schedule.load_state_dict(load_state_dict(dir / "schedule.safetensors"));
  resumed.loader.set_epoch(std::stoll(load_metadata(dir / "model.safetensors").at("epoch")));
  resumed.train_epoch();

  EXPECT_EQ(resume_bytes(resumed.model->state_dict()), resume_bytes(straight.model->state_dict()));
  EXPECT_EQ(resume_bytes(resumed.optimizer.state_dict()), resume_bytes(straight.optimizer.state_dict()));
  EXPECT_EQ(resume_bytes(resumed.schedule.state_dict()), resume_bytes(straight.schedule.state_dict()));
  EXPECT_EQ(resumed.loader.epoch(), straight.loader.epoch());
}

}  // namespace
}  // namespace lucid::test
