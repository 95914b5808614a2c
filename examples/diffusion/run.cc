// The diffusion example's run (run.h). Checkpoints of epoch k: epoch_k.safetensors (the model, with
// metadata epoch, step, ema_updates, seed, channels), epoch_k.ema.safetensors (the EMA weights) and
// epoch_k.optim.safetensors (AdamW's state).
#include "examples/diffusion/run.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>

#include "examples/diffusion/ema.h"
#include "examples/diffusion/report.h"
#include "examples/diffusion/sampler.h"
#include "examples/diffusion/schedule.h"
#include "examples/diffusion/score.h"
#include "examples/diffusion/train.h"
#include "examples/diffusion/unet.h"
#include "examples/fashion_mnist/progress.h"
#include "framework/number_format.h"
#include "lucid.h"

namespace diffusion {

namespace {

namespace fs = std::filesystem;

// epoch_3.safetensors → epoch_3<suffix>.safetensors (".ema", ".optim").
fs::path beside(const fs::path& model_path, const std::string& suffix) {
  return fs::path(model_path).replace_extension(suffix + ".safetensors");
}

// The fixed sampling noise of the grids (the same every epoch, so grids compare) and of the score.
constexpr std::uint64_t kGridSeedOffset = 1'000'003, kScoreSeedOffset = 2'000'003;

// The training draws of an epoch come from a generator seeded by (seed, epoch): a resumed run draws
// what the uninterrupted one would have.
std::uint64_t epoch_seed(std::uint64_t seed, int epoch) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(epoch);
}

void draw_grid(UNet& ema_model, const NoiseSchedule& schedule, const Settings& s, const SamplerOptions& sampler,
               const fs::path& path) {
  lucid::Generator grid_generator(s.seed + kGridSeedOffset);
  write_sample_grid(ema_model, schedule, s.grid_columns, sampler, grid_generator, path.string());
}

// One guided DDIM step of `model` on fixed inputs (4 noise images, labels 0, 3, 7, 9, t = 500 → 250),
// saved with its inputs for examples/diffusion/check_in_pytorch.py.
void dump_denoising_step(UNet& model, const NoiseSchedule& schedule, const Settings& s, const fs::path& path) {
  constexpr std::int64_t t = 500, t_prev = 250;
  lucid::Generator generator(s.seed);
  const lucid::Tensor x = lucid::randn({4, 1, 28, 28}, lucid::float32, false, &generator);
  const lucid::Tensor labels = lucid::tensor(std::vector<std::int64_t>{0, 3, 7, 9}, {4});
  model.eval();
  lucid::autograd::no_grad guard;
  const lucid::Tensor eps = guided_noise(model, x, t, labels, s.guidance);
  lucid::nn::StateDict dump;
  dump.insert_or_assign("x", x);
  dump.insert_or_assign("labels", labels);
  dump.insert_or_assign("eps", eps);
  dump.insert_or_assign("x_prev", schedule.ddim_step(x, eps, t, t_prev));
  lucid::save(dump, path, {{"t", std::to_string(t)}, {"t_prev", std::to_string(t_prev)}, {"guidance", lucid::format_number(s.guidance)},
                           {"channels", std::to_string(s.channels)}});
  std::cout << "denoising step (t " << t << " -> " << t_prev << ", guidance " << s.guidance << ") written to " << path.string() << "\n";
}

}  // namespace

int run(const Settings& s) {
  check_settings(s);
  if (s.threads > 0) lucid::set_num_threads(s.threads);
  lucid::manual_seed(s.seed);
  const NoiseSchedule schedule;
  UNet model({.channels = s.channels}), ema_model({.channels = s.channels});
  Ema ema(ema_model, s.ema_decay);
  ema.copy_from(model);
  lucid::optim::AdamW optimizer(model.parameters(), {.lr = s.lr});
  const SamplerOptions sampler{.steps = s.sample_steps, .guidance = s.guidance};
  std::int64_t parameters = 0;
  for (const auto& p : model.parameters()) parameters += p.numel();
  std::cout << "UNet: " << parameters << " parameters, channels " << s.channels << "; threads: " << lucid::get_num_threads()
            << "\n";

  int epoch = 0;
  std::int64_t step = 0;
  if (!s.resume.empty()) {
    const lucid::SafetensorsMetadata meta = lucid::load_metadata(s.resume);
    lucid::load(model, s.resume);
    lucid::load(ema_model, beside(s.resume, ".ema"));
    epoch = std::stoi(meta.at("epoch"));
    step = std::stoll(meta.at("step"));
    ema.set_updates(std::stoll(meta.at("ema_updates")));
    std::cout << "resumed from " << s.resume << " (epoch " << epoch << ", step " << step << ")\n";
  }
  fs::create_directories(s.out);
  const fs::path csv = fs::path(s.out) / "metrics.csv", steps_csv = fs::path(s.out) / "steps.csv",
                 loss_png = fs::path(s.out) / "loss.png";
  std::vector<EpochRow> rows = read_metrics_csv(csv.string(), epoch);

  if (!s.sample_only) {
    lucid::data::Dataset train = lucid::data::load_fashion_mnist(s.data_dir, true, s.limit, 0.5, 0.5);
    lucid::data::DataLoader loader(std::move(train), {.batch_size = s.batch_size, .shuffle = true, .seed = s.seed});
    loader.set_epoch(epoch);
    if (!s.resume.empty()) optimizer.load_state_dict(lucid::load_state_dict(beside(s.resume, ".optim")));
    const std::int64_t total_steps = loader.size() * s.epochs;
    // A short run warms up over at most a fifth of its steps.
    EpochOptions epoch_options{.label_drop = s.label_drop, .lr = s.lr, .total_steps = total_steps,
                               .warmup_steps = std::min(s.warmup, total_steps / 5)};
    std::cout << "train samples: " << loader.samples() << ", batch " << s.batch_size << ", lr " << s.lr << " (warm-up "
              << epoch_options.warmup_steps << " steps, cosine), EMA decay " << s.ema_decay << "\n";
    std::ofstream steps_out(steps_csv, epoch == 0 ? std::ios::trunc : std::ios::app);
    if (epoch == 0) steps_out << "step,epoch,loss,learning_rate\n";
    for (++epoch; epoch <= s.epochs; ++epoch) {
      lucid::Generator generator(epoch_seed(s.seed, epoch));
      fashion_mnist::Progress progress("epoch " + std::to_string(epoch) + "/" + std::to_string(s.epochs), loader.samples());
      epoch_options.first_step = step;
      const EpochResult r = train_epoch(model, optimizer, ema, schedule, loader, epoch_options, generator, &progress,
                                        [&](std::int64_t at, double loss) {
                                          steps_out << at << ',' << epoch << ',' << loss << ',' << optimizer.lr() << '\n';
                                        });
      steps_out.flush();
      step += loader.size();
      const fs::path checkpoint = fs::path(s.out) / ("epoch_" + std::to_string(epoch) + ".safetensors");
      lucid::save(model, checkpoint,
                  {{"epoch", std::to_string(epoch)}, {"step", std::to_string(step)}, {"ema_updates", std::to_string(ema.updates())},
                   {"seed", std::to_string(s.seed)}, {"channels", std::to_string(s.channels)}});
      lucid::save(ema_model, beside(checkpoint, ".ema"));
      lucid::save(optimizer.state_dict(), beside(checkpoint, ".optim"));
      rows.push_back({epoch, r.loss, r.seconds, optimizer.lr(), std::nullopt});
      write_metrics_csv(rows, csv.string());
      std::string plot_error;
      if (!plot_loss(steps_csv.string(), loss_png.string(), plot_error)) std::cout << "note: " << plot_error << "\n";
      const fs::path grid = fs::path(s.out) / ("samples_epoch_" + std::to_string(epoch) + ".png");
      draw_grid(ema_model, schedule, s, sampler, grid);
      char summary[256];
      std::snprintf(summary, sizeof summary, "loss %.4f | %.1f s, %.0f samples/s | grid %s", r.loss, r.seconds,
                    static_cast<double>(r.samples) / r.seconds, grid.c_str());
      progress.finish(summary);
    }
    epoch = s.epochs;
  }

  if (!s.dump_step.empty()) dump_denoising_step(ema_model, schedule, s, s.dump_step);
  const fs::path final_grid = fs::path(s.out) / "samples_final.png";
  draw_grid(ema_model, schedule, s, sampler, final_grid);
  std::cout << "samples (EMA weights, " << s.sample_steps << " DDIM steps, guidance " << s.guidance << "): " << final_grid.string()
            << "\n";
  if (!s.score.empty()) {
    lucid::Generator score_generator(s.seed + kScoreSeedOffset);
    const ScoreResult score = classifier_score(ema_model, schedule, s.score, s.score_per_class, sampler, score_generator);
    std::printf("classification accuracy score: %.4f (%lld samples, %.1f s)\n", score.accuracy,
                static_cast<long long>(score.samples), score.seconds);
    if (rows.empty() || rows.back().epoch != epoch) {  // scoring a checkpoint whose run wrote elsewhere: no loss known
      const double unknown = std::numeric_limits<double>::quiet_NaN();
      rows.push_back({epoch, unknown, unknown, unknown, std::nullopt});
    }
    rows.back().score = score.accuracy;
    write_metrics_csv(rows, csv.string());
  }
  std::cout << "wrote " << (s.sample_only ? "samples" : "checkpoints, metrics.csv and samples") << " to " << s.out << "\n";
  return 0;
}

}  // namespace diffusion
