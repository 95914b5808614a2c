// The check of the diffusion example's settings (settings.h).
#include "examples/diffusion/settings.h"

#include <cmath>

#include "framework/errors.h"
#include "framework/number_format.h"

namespace diffusion {

namespace {

void require(bool ok, const char* option, double value, const char* expected) {
  if (!ok) {
    throw lucid::ValueError(std::string(option) + " (" + lucid::format_number(value) + ") must be " + expected);
  }
}

}  // namespace

void check_settings(const Settings& s) {
  require(s.epochs >= 0, "--epochs", s.epochs, ">= 0");
  require(s.batch_size >= 1, "--batch-size", static_cast<double>(s.batch_size), ">= 1");
  require(std::isfinite(s.lr) && s.lr > 0.0, "--lr", s.lr, "finite and > 0");
  require(s.warmup >= 0, "--warmup", static_cast<double>(s.warmup), ">= 0");
  require(s.ema_decay >= 0.0 && s.ema_decay < 1.0, "--ema-decay", s.ema_decay, "in [0, 1)");
  require(s.label_drop >= 0.0 && s.label_drop <= 1.0, "--label-drop", s.label_drop, "in [0, 1]");
  require(s.channels >= 8 && s.channels % 8 == 0, "--channels", static_cast<double>(s.channels), "a positive multiple of 8");
  require(s.threads >= 0, "--threads", s.threads, ">= 0");
  require(s.limit >= 0, "--limit", static_cast<double>(s.limit), ">= 0");
  require(std::isfinite(s.guidance) && s.guidance >= 0.0, "--guidance", s.guidance, "finite and >= 0");
  require(s.sample_steps >= 1 && s.sample_steps <= 1000, "--sample-steps", static_cast<double>(s.sample_steps), "in 1..1000");
  require(s.grid_columns >= 1, "--grid-columns", static_cast<double>(s.grid_columns), ">= 1");
  require(s.score_per_class >= 1, "--score-per-class", static_cast<double>(s.score_per_class), ">= 1");
  if (s.sample_only && s.resume.empty()) throw lucid::ValueError("--sample-only needs --resume <checkpoint>");
}

}  // namespace diffusion
