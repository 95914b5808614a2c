// Training curves: metrics.csv (one row per epoch) and a PNG of loss and accuracy drawn by gnuplot.
#pragma once

#include <string>
#include <vector>

namespace fashion_mnist {

struct EpochMetrics {
  int epoch;
  double train_loss, train_accuracy, test_loss, test_accuracy, seconds, learning_rate;  // lr at the epoch's start
};

// Writes all rows to `path` (overwriting), with a header line.
void write_metrics_csv(const std::vector<EpochMetrics>& rows, const std::string& path);
// Draws `png_path` from the CSV with gnuplot (pngcairo, else png). Returns false, with the reason in
// `error`, when gnuplot is not installed or fails; training goes on either way.
bool plot_curves(const std::string& csv_path, const std::string& png_path, std::string& error);

}  // namespace fashion_mnist
