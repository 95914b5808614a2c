// What a diffusion training run writes besides checkpoints: metrics.csv (a row per epoch),
// steps.csv (a row per optimizer step), loss.png (gnuplot) and sample grids (PNG, a row per class).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "examples/diffusion/sampler.h"
#include "lucid.h"

namespace diffusion {

struct EpochRow {
  int epoch = 0;
  double loss = 0.0;             // mean training loss of the epoch
  double seconds = 0.0;          // training time of the epoch
  double learning_rate = 0.0;    // at the epoch's last step
  std::optional<double> score;   // classification accuracy score, when computed after this epoch
};

// Writes all rows to `path` (overwriting): "epoch,loss,seconds,learning_rate,score" (score empty when absent).
void write_metrics_csv(const std::vector<EpochRow>& rows, const std::string& path);
// The rows of `path` with epoch ≤ last_epoch (none when the file is missing): a resumed run keeps them.
std::vector<EpochRow> read_metrics_csv(const std::string& path, int last_epoch);

// Draws `png_path` (loss per step from steps.csv, "step,epoch,loss,learning_rate", log scale) with
// gnuplot. Returns false with the reason in `error` when gnuplot is missing or fails.
bool plot_loss(const std::string& steps_csv, const std::string& png_path, std::string& error);

// Samples `per_class` images of every class from `model` and writes them as a PNG grid with a row
// per class (pixels −1 … 1 drawn black … white, each pixel 2×2).
void write_sample_grid(UNet& model, const NoiseSchedule& schedule, std::int64_t per_class, const SamplerOptions& sampler,
                       lucid::Generator& generator, const std::string& path);

}  // namespace diffusion
