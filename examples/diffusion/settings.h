// The diffusion example's run settings (its command-line options) and their check.
#pragma once

#include <cstdint>
#include <string>

#include "modules/data/fashion_mnist.h"

namespace diffusion {

struct Settings {
  int epochs = 5;
  std::int64_t batch_size = 128;
  double lr = 2e-3;               // AdamW peak lr (warm-up, then cosine decay to 0 over the run)
  std::int64_t warmup = 200;      // warm-up optimizer steps (at most a fifth of the run's)
  double ema_decay = 0.999;
  double label_drop = 0.1;        // probability of training a sample unconditionally
  std::int64_t channels = 32;     // UNet width at 28×28
  int threads = 0;                // 0: OMP_NUM_THREADS or the OpenMP default
  std::string data_dir = lucid::data::kFashionMnistDir;
  std::int64_t limit = 0;         // training samples (0: all 60,000)
  std::string out = "runs/diffusion";
  std::string resume;             // epoch_N.safetensors of an earlier run
  bool sample_only = false;       // with resume: only draw the grid (and --score) from its EMA weights
  double guidance = 3.0;          // classifier-free guidance scale w
  std::int64_t sample_steps = 30; // DDIM steps
  std::int64_t grid_columns = 10; // samples per class in the grids
  std::string score;              // classifier checkpoint: compute the classification accuracy score
  std::int64_t score_per_class = 100;
  std::string dump_step;          // writes one guided denoising step of the EMA model (check_in_pytorch.py)
  std::uint64_t seed = 0;
};

// ValueError naming the option and its value when one is out of range: epochs < 0, batch_size < 1,
// lr not finite or ≤ 0, warmup < 0, ema_decay outside [0, 1), label_drop outside [0, 1],
// channels not a positive multiple of 8, threads < 0, limit < 0, guidance not finite or < 0,
// sample_steps outside 1 .. 1000, grid_columns < 1, score_per_class < 1, sample_only without resume.
void check_settings(const Settings& s);

}  // namespace diffusion
