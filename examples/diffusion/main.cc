// diffusion: trains a class-conditional DDPM (ε-prediction, cosine schedule, T = 1000) with a small
// GroupNorm+SiLU UNet on Fashion-MNIST with AdamW and an EMA of the weights, and draws clothes with
// DDIM and classifier-free guidance. Writes metrics.csv, steps.csv, loss.png, a sample grid per
// epoch (a row per class), samples_final.png and checkpoints into --out.
//
//   ./build/examples/diffusion --epochs 5 --threads 2 --score runs/fashion_mnist/epoch_5.safetensors
//   ./build/examples/diffusion --epochs 1 --limit 5000                       # a quick run
//   ./build/examples/diffusion --resume runs/diffusion/epoch_2.safetensors --epochs 5
//   ./build/examples/diffusion --sample-only --resume runs/diffusion/epoch_5.safetensors --guidance 2
//   ./build/examples/diffusion --sample-only --resume runs/diffusion/epoch_5.safetensors --dump-step step.safetensors
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "examples/diffusion/run.h"

int main(int argc, char** argv) {
  diffusion::Settings s;
  CLI::App app{"Trains a class-conditional diffusion model (GroupNorm UNet) on Fashion-MNIST with lucid."};
  app.add_option("--epochs", s.epochs, "Epochs to train (in total, when resuming)")->capture_default_str();
  app.add_option("--batch-size", s.batch_size, "Samples per batch")->capture_default_str();
  app.add_option("--lr", s.lr, "AdamW peak learning rate (warm-up, then cosine decay to 0)")->capture_default_str();
  app.add_option("--warmup", s.warmup, "Warm-up optimizer steps")->capture_default_str();
  app.add_option("--ema-decay", s.ema_decay, "Decay of the EMA of the weights")->capture_default_str();
  app.add_option("--label-drop", s.label_drop, "Probability of an unconditional training sample")->capture_default_str();
  app.add_option("--channels", s.channels, "UNet width at 28x28 (twice that at 14x14 and 7x7)")->capture_default_str();
  app.add_option("--threads", s.threads, "Intra-op threads (0: OMP_NUM_THREADS or all cores)")->capture_default_str();
  app.add_option("--data-dir", s.data_dir, "Directory with the IDX files")->capture_default_str();
  app.add_option("--limit", s.limit, "Use only the first N training samples (0: all)")->capture_default_str();
  app.add_option("--out", s.out, "Output directory")->capture_default_str();
  app.add_option("--resume", s.resume, "Checkpoint to continue from (epoch_N.safetensors)");
  app.add_flag("--sample-only", s.sample_only, "Only sample (and --score) from the --resume checkpoint's EMA weights");
  app.add_option("--guidance", s.guidance, "Classifier-free guidance scale")->capture_default_str();
  app.add_option("--sample-steps", s.sample_steps, "DDIM steps")->capture_default_str();
  app.add_option("--grid-columns", s.grid_columns, "Samples per class in the grids")->capture_default_str();
  app.add_option("--score", s.score, "Classifier checkpoint (the fashion_mnist example's): compute the classification accuracy score");
  app.add_option("--score-per-class", s.score_per_class, "Samples per class for --score")->capture_default_str();
  app.add_option("--dump-step", s.dump_step,
                 "Write one guided DDIM step of the EMA model (inputs, predicted noise, result) as safetensors, "
                 "for examples/diffusion/check_in_pytorch.py");
  app.add_option("--seed", s.seed, "Seed of the initialisation, shuffling, noise and sampling")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return diffusion::run(s);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
