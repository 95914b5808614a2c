// Progress reporting for a training epoch: on a terminal, a live bar redrawn in place with loss,
// accuracy, samples/s and ETA; otherwise (a log file, CI) one plain line every few seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace fashion_mnist {

class Progress {
 public:
  // `label` e.g. "epoch 3/5"; `total` samples in the epoch.
  Progress(std::string label, std::int64_t total, std::FILE* out = stdout);
  // After each batch: samples done so far and running mean loss / accuracy (none for a model that
  // is not a classifier, e.g. the diffusion example's: the bar then shows no accuracy).
  void update(std::int64_t done, double loss, std::optional<double> accuracy = std::nullopt);
  // Ends the line with the epoch's summary.
  void finish(const std::string& summary);

 private:
  void draw(std::int64_t done, double loss, std::optional<double> accuracy, bool final_line);

  std::string label_;
  std::int64_t total_;
  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace fashion_mnist
