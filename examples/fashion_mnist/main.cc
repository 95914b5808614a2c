// fashion_mnist: trains the small GroupNorm CNN of examples/fashion_mnist/model.h on Fashion-MNIST
// with AdamW (by default with a cosine learning-rate decay over the whole run, stepped per batch),
// printing live progress, and writes metrics.csv, curves.png and one checkpoint per
// epoch (safetensors: model weights, plus the optimizer state beside them) into --out.
//
//   ./build/examples/fashion_mnist --epochs 5                    # the full data set
//   ./build/examples/fashion_mnist --epochs 1 --limit 6000       # a quick run
//   ./build/examples/fashion_mnist --resume runs/fashion_mnist/epoch_2.safetensors --epochs 5
//   ./build/examples/fashion_mnist --eval-only --resume runs/fashion_mnist/epoch_5.safetensors
//   ./build/examples/fashion_mnist --summary                     # layers, output shapes, parameters; exits
//   ./build/examples/fashion_mnist --norm batch                  # BatchNorm2d instead of GroupNorm (also layer, instance)
//   mpirun -np 2 ./build/examples/fashion_mnist --epochs 2      # data parallel (lucid built with MPI)
//
// Under mpirun each rank trains on its shard of every global batch of --batch-size samples, and
// only rank 0 prints and writes files (parallel.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "examples/fashion_mnist/model.h"
#include "examples/fashion_mnist/parallel.h"
#include "examples/fashion_mnist/plot.h"
#include "examples/fashion_mnist/progress.h"
#include "examples/fashion_mnist/train.h"
#include "lucid.h"

namespace {

namespace fs = std::filesystem;

struct Settings {
  int epochs = 2;
  std::int64_t batch_size = 128;
  double lr = 2e-3;
  int threads = 0;  // 0: keep OMP_NUM_THREADS / the OpenMP default
  std::string data_dir = lucid::data::kFashionMnistDir;
  std::int64_t limit = 0;       // training samples (0: all 60,000)
  std::int64_t test_limit = 0;  // test samples (0: all 10,000)
  std::string out = "runs/fashion_mnist";
  std::string resume;
  std::string schedule = "cosine";  // or "constant"
  std::string norm = "group";       // the model's normalisation layers (model.h)
  bool eval_only = false;
  bool summary_only = false;
  std::uint64_t seed = 0;
};

// The optimizer state is saved beside the model: epoch_3.safetensors → epoch_3.optim.safetensors.
fs::path optimizer_path(const fs::path& model_path) {
  return fs::path(model_path).replace_extension(".optim.safetensors");
}

// Rows of a previous run's metrics.csv up to `last_epoch` (resuming keeps the curve whole).
std::vector<fashion_mnist::EpochMetrics> previous_metrics(const fs::path& csv, int last_epoch) {
  std::vector<fashion_mnist::EpochMetrics> rows;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    fashion_mnist::EpochMetrics r{};
    if (std::sscanf(line.c_str(), "%d,%lf,%lf,%lf,%lf,%lf,%lf", &r.epoch, &r.train_loss, &r.train_accuracy, &r.test_loss,
                    &r.test_accuracy, &r.seconds, &r.learning_rate) == 7 &&
        r.epoch <= last_epoch) {
      rows.push_back(r);
    }
  }
  return rows;
}

int run(const Settings& s, fashion_mnist::Parallel& parallel) {
  if (!parallel.is_root() && !std::freopen("/dev/null", "w", stdout)) return 1;  // rank 0 speaks for all
  if (s.threads > 0) lucid::set_num_threads(s.threads);
  lucid::manual_seed(s.seed);
  const auto model = fashion_mnist::make_model(fashion_mnist::parse_norm(s.norm));
  lucid::optim::AdamW optimizer(model->parameters(), {.lr = s.lr});
  std::cout << lucid::nn::summary(*model, lucid::zeros({1, 1, 28, 28})) << "threads: " << lucid::get_num_threads() << "\n";
  if (s.summary_only) return 0;

  int epoch = 0;
  if (!s.resume.empty()) {
    lucid::load(*model, s.resume);
    epoch = std::stoi(lucid::load_metadata(s.resume).at("epoch"));
    std::cout << "resumed from " << s.resume << " (epoch " << epoch << ")\n";
  }
  parallel.replicate(*model);

  const lucid::data::Dataset test = lucid::data::load_fashion_mnist(s.data_dir, false, s.test_limit);
  fs::create_directories(s.out);
  if (s.eval_only) {
    if (!parallel.is_root()) return 0;
    std::vector<std::int64_t> predictions;
    const fashion_mnist::PassResult r = fashion_mnist::evaluate(*model, test, s.batch_size, &predictions);
    const fs::path path = fs::path(s.out) / "predictions.csv";
    std::ofstream out(path);
    out << "index,prediction\n";
    for (std::size_t i = 0; i < predictions.size(); ++i) out << i << ',' << predictions[i] << '\n';
    std::printf("test: loss %.4f  accuracy %.4f  (%lld samples, %.1f s); predictions in %s\n", r.loss, r.accuracy,
                static_cast<long long>(r.samples), r.seconds, path.c_str());
    return 0;
  }

  const lucid::data::Dataset train = lucid::data::load_fashion_mnist(s.data_dir, true, s.limit);
  lucid::data::DataLoader loader = parallel.train_loader(train, s.batch_size, s.seed);
  lucid::data::DataLoader test_loader = parallel.test_loader(test, s.batch_size);
  loader.set_epoch(epoch);
  // Cosine decay from lr to 0 over every step of the run. A resumed run replays the schedule's first
  // steps, loads the optimizer's moments, and takes the lr from this run's schedule (the saved one
  // belongs to the earlier run's, which may have had another length).
  std::optional<lucid::optim::CosineAnnealingLR> schedule;
  if (s.schedule == "cosine") {
    schedule.emplace(optimizer, std::max<std::int64_t>(loader.size() * s.epochs, 1));
    for (std::int64_t step = 0; step < loader.size() * epoch; ++step) schedule->step();
  }
  if (!s.resume.empty()) {
    optimizer.load_state_dict(lucid::load_state_dict(optimizer_path(s.resume)));
    optimizer.set_lr(schedule ? schedule->get_last_lr()[0] : s.lr);
  }
  const fashion_mnist::StepCallback after_step = [&](std::int64_t, double) {
    if (schedule) schedule->step();
  };
  std::cout << "train samples: " << train.size() << ", test samples: " << test.size() << ", batch " << s.batch_size
            << ", lr " << s.lr << " (" << s.schedule << ")\n";
  if (parallel.world() > 1) {
    std::cout << "data parallel: " << parallel.world() << " processes, " << s.batch_size / parallel.world()
              << " samples each per step (the live bar shows rank 0's shard)\n";
  }

  const fs::path csv = fs::path(s.out) / "metrics.csv", png = fs::path(s.out) / "curves.png";
  std::vector<fashion_mnist::EpochMetrics> rows = previous_metrics(csv, epoch);
  for (++epoch; epoch <= s.epochs; ++epoch) {
    fashion_mnist::Progress progress("epoch " + std::to_string(epoch) + "/" + std::to_string(s.epochs), loader.samples());
    const double epoch_lr = optimizer.lr();
    const fashion_mnist::PassResult fit = parallel.combine(
        fashion_mnist::train_epoch(*model, optimizer, loader, &progress, after_step, parallel.average_gradients()));
    const fashion_mnist::PassResult eval = parallel.combine(fashion_mnist::evaluate(*model, test_loader));
    rows.push_back({epoch, fit.loss, fit.accuracy, eval.loss, eval.accuracy, fit.seconds, epoch_lr});
    if (!parallel.is_root()) continue;

    const fs::path checkpoint = fs::path(s.out) / ("epoch_" + std::to_string(epoch) + ".safetensors");
    lucid::save(*model, checkpoint,
                {{"epoch", std::to_string(epoch)}, {"seed", std::to_string(s.seed)}, {"norm", s.norm}});
    lucid::save(optimizer.state_dict(), optimizer_path(checkpoint));
    fashion_mnist::write_metrics_csv(rows, csv);
    std::string plot_error;
    if (!fashion_mnist::plot_curves(csv, png, plot_error)) std::cerr << "note: " << plot_error << "\n";

    char summary[256];
    std::snprintf(summary, sizeof summary,
                  "train loss %.4f acc %.4f | test loss %.4f acc %.4f | %.1f s, %.0f samples/s", fit.loss, fit.accuracy,
                  eval.loss, eval.accuracy, fit.seconds, static_cast<double>(fit.samples) / fit.seconds);
    progress.finish(summary);
  }
  std::cout << "wrote " << csv.string() << ", " << png.string() << " and checkpoints to " << s.out << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CLI::App app{"Trains a small GroupNorm CNN on Fashion-MNIST with lucid."};
  app.add_option("--epochs", s.epochs, "Epochs to train (in total, when resuming)")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--batch-size", s.batch_size, "Samples per batch")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--lr", s.lr, "AdamW learning rate")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--schedule", s.schedule, "Learning-rate schedule over the run, per batch")
      ->capture_default_str()
      ->check(CLI::IsMember({"cosine", "constant"}));
  app.add_option("--norm", s.norm, "Normalisation layers of the model (examples/fashion_mnist/model.h)")
      ->capture_default_str()
      ->check(CLI::IsMember({"group", "batch", "layer", "instance"}));
  app.add_option("--threads", s.threads, "Intra-op threads (0: OMP_NUM_THREADS or all cores)")->capture_default_str();
  app.add_option("--data-dir", s.data_dir, "Directory with the IDX files")->capture_default_str();
  app.add_option("--limit", s.limit, "Use only the first N training samples (0: all)")->capture_default_str();
  app.add_option("--test-limit", s.test_limit, "Use only the first N test samples (0: all)")->capture_default_str();
  app.add_option("--out", s.out, "Output directory: metrics.csv, curves.png, checkpoints")->capture_default_str();
  app.add_option("--resume", s.resume, "Checkpoint to continue from (epoch_N.safetensors)");
  app.add_flag("--eval-only", s.eval_only, "Only evaluate the --resume checkpoint on the test set");
  app.add_flag("--summary", s.summary_only, "Print the model summary (layers, output shapes, parameters) and exit");
  app.add_option("--seed", s.seed, "Seed of the initialisation and the shuffling")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (s.eval_only && s.resume.empty()) {
    std::cerr << "--eval-only needs --resume <checkpoint>\n";
    return 2;
  }
  fashion_mnist::Parallel parallel;
  try {
    return run(s, parallel);
  } catch (const std::exception& e) {
    return parallel.fail(e.what());
  }
}
