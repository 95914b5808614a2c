// fashion_mnist: trains the small GroupNorm CNN of examples/fashion_mnist/model.h on Fashion-MNIST
// with AdamW (by default with a cosine learning-rate decay over the whole run, stepped per batch),
// printing live progress, and writes into --out: steps.csv (per optimizer step), metrics.csv (per
// epoch), confusion.csv, the pictures curves.png, confusion.png and mistakes.png (gnuplot; skipped
// with a note without it) and one checkpoint per epoch (safetensors: model weights, plus the
// optimizer state beside them). --eval-only writes predictions.csv, confusion.csv and the two
// evaluation pictures.
//
//   ./build/examples/fashion_mnist --epochs 5                    # the full data set
//   ./build/examples/fashion_mnist --epochs 1 --limit 6000       # a quick run
//   ./build/examples/fashion_mnist --resume runs/fashion_mnist/epoch_2.safetensors --epochs 5
//   ./build/examples/fashion_mnist --eval-only --resume runs/fashion_mnist/epoch_5.safetensors
//   ./build/examples/fashion_mnist --summary                     # layers, output shapes, parameters; exits
//   ./build/examples/fashion_mnist --norm batch                  # BatchNorm2d instead of GroupNorm (also layer, instance)
//   ./build/examples/fashion_mnist --epochs 1 --profile          # time share of each op type in the epoch
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

#include "examples/fashion_mnist/evaluation_report.h"
#include "examples/fashion_mnist/gnuplot.h"
#include "examples/fashion_mnist/model.h"
#include "examples/fashion_mnist/parallel.h"
#include "examples/fashion_mnist/plot.h"
#include "examples/fashion_mnist/progress.h"
#include "examples/fashion_mnist/step_log.h"
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
  bool profile = false;  // time every op type of the first epoch's training (autodiff/profiler.h)
  std::int64_t log_every = 1;  // a steps.csv row every k-th optimizer step
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

// Writes the evaluation's confusion.csv (and pictures) into `dir`, with a note for each picture that
// could not be drawn; returns the paths written.
std::vector<std::string> report_evaluation(const std::string& dir, const fashion_mnist::EvalDetails& details,
                                           bool pictures) {
  const fashion_mnist::ReportFiles files = fashion_mnist::write_evaluation_report(dir, details, pictures);
  for (const std::string& note : files.notes) std::cerr << "note: " << note << "\n";
  return files.written;
}

std::string joined(const std::vector<std::string>& paths) {
  std::string text;
  for (const std::string& path : paths) text += (text.empty() ? "" : ", ") + path;
  return text;
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
  const bool pictures = fashion_mnist::gnuplot_available();
  if (!pictures && parallel.is_root()) {
    std::cerr << "note: " << fashion_mnist::kGnuplotMissing
              << ": curves.png, confusion.png and mistakes.png are skipped; the CSV files are still written\n";
  }
  if (s.eval_only) {
    if (!parallel.is_root()) return 0;
    fashion_mnist::EvalDetails details;
    const fashion_mnist::PassResult r = fashion_mnist::evaluate(*model, test, s.batch_size, &details);
    const fs::path path = fs::path(s.out) / "predictions.csv";
    std::ofstream out(path);
    out << "index,prediction\n";
    for (std::size_t i = 0; i < details.predictions.size(); ++i) out << i << ',' << details.predictions[i] << '\n';
    std::printf("test: loss %.4f  accuracy %.4f  (%lld samples, %.1f s)\n", r.loss, r.accuracy,
                static_cast<long long>(r.samples), r.seconds);
    std::vector<std::string> written = {path.string()};
    for (const std::string& file : report_evaluation(s.out, details, pictures)) written.push_back(file);
    std::cout << "wrote " << joined(written) << "\n";
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
  // steps.csv: step numbers count over the whole run (a resumed run goes on from its checkpoint's
  // epoch); every rank takes the same steps, so the step is global; a logged step's figures are
  // combined over the ranks (a collective all ranks join) and rank 0 writes them.
  const std::int64_t steps_per_epoch = loader.size();
  std::int64_t step = steps_per_epoch * epoch;
  const fs::path steps_csv = fs::path(s.out) / "steps.csv";
  std::optional<fashion_mnist::StepLog> step_log;
  if (parallel.is_root()) step_log.emplace(steps_csv.string(), step);
  const fashion_mnist::StepCallback after_step = [&](std::int64_t, const fashion_mnist::PassResult& local) {
    ++step;
    const double step_lr = optimizer.lr();
    if (schedule) schedule->step();
    if (step % s.log_every != 0) return;
    const fashion_mnist::PassResult batch = parallel.combine(local);
    if (step_log) {
      step_log->write({step, static_cast<double>(step) / static_cast<double>(steps_per_epoch), batch.loss, batch.accuracy,
                       step_lr, static_cast<double>(batch.samples) / batch.seconds});
    }
  };
  std::cout << "train samples: " << train.size() << ", test samples: " << test.size() << ", batch " << s.batch_size
            << ", lr " << s.lr << " (" << s.schedule << ")\n";
  if (parallel.world() > 1) {
    std::cout << "data parallel: " << parallel.world() << " processes, " << s.batch_size / parallel.world()
              << " samples each per step (the live bar shows rank 0's shard)\n";
  }

  const fs::path csv = fs::path(s.out) / "metrics.csv", png = fs::path(s.out) / "curves.png";
  std::vector<std::string> evaluation_files;
  std::vector<fashion_mnist::EpochMetrics> rows = previous_metrics(csv, epoch);
  bool profiled = false;
  for (++epoch; epoch <= s.epochs; ++epoch) {
    fashion_mnist::Progress progress("epoch " + std::to_string(epoch) + "/" + std::to_string(s.epochs), loader.samples());
    const double epoch_lr = optimizer.lr();
    std::optional<lucid::autograd::Profile> profile;
    if (s.profile && !profiled) profile.emplace();
    const fashion_mnist::PassResult fit = parallel.combine(
        fashion_mnist::train_epoch(*model, optimizer, loader, &progress, after_step, parallel.average_gradients()));
    if (profile) {
      profile->stop();
      profiled = true;
      std::cout << "\nprofile of epoch " << epoch << "'s training (" << lucid::get_num_threads()
                << " threads; data loading is outside every span):\n" << *profile << "\n";
    }
    fashion_mnist::EvalDetails details;  // the mistakes are rank 0's; the confusion counts are everyone's
    const fashion_mnist::PassResult eval = parallel.combine(fashion_mnist::evaluate(*model, test_loader, &details));
    parallel.sum_over_ranks(details.confusion.cells());
    rows.push_back({epoch, fit.loss, fit.accuracy, eval.loss, eval.accuracy, fit.seconds, epoch_lr});
    if (!parallel.is_root()) continue;

    const fs::path checkpoint = fs::path(s.out) / ("epoch_" + std::to_string(epoch) + ".safetensors");
    lucid::save(*model, checkpoint,
                {{"epoch", std::to_string(epoch)}, {"seed", std::to_string(s.seed)}, {"norm", s.norm}});
    lucid::save(optimizer.state_dict(), optimizer_path(checkpoint));
    fashion_mnist::write_metrics_csv(rows, csv);
    std::string plot_error;
    if (pictures && !fashion_mnist::plot_curves(steps_csv.string(), rows, png.string(), plot_error)) {
      std::cerr << "note: " << plot_error << "\n";
    }
    evaluation_files = report_evaluation(s.out, details, pictures);

    char summary[256];
    std::snprintf(summary, sizeof summary,
                  "train loss %.4f acc %.4f | test loss %.4f acc %.4f | %.1f s, %.0f samples/s", fit.loss, fit.accuracy,
                  eval.loss, eval.accuracy, fit.seconds, static_cast<double>(fit.samples) / fit.seconds);
    progress.finish(summary);
  }
  std::vector<std::string> written = {steps_csv.string(), csv.string()};
  if (pictures && fs::exists(png)) written.push_back(png.string());
  written.insert(written.end(), evaluation_files.begin(), evaluation_files.end());
  std::cout << "wrote " << joined(written) << " and checkpoints to " << s.out << "\n";
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
  app.add_option("--out", s.out, "Output directory: steps.csv, metrics.csv, confusion.csv, the pictures, checkpoints")
      ->capture_default_str();
  app.add_option("--log-every", s.log_every, "Write a steps.csv row every k-th optimizer step")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--resume", s.resume, "Checkpoint to continue from (epoch_N.safetensors)");
  app.add_flag("--eval-only", s.eval_only, "Only evaluate the --resume checkpoint on the test set");
  app.add_flag("--profile", s.profile,
               "Print the time share of every op type (module forwards, backward nodes, optimizer) of the first "
               "epoch's training");
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
