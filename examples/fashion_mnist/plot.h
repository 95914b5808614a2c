// Training curves: metrics.csv (one row per epoch) and curves.png, drawn by gnuplot from steps.csv
// (per step) and the per-epoch test figures.
#pragma once

#include <string>
#include <vector>

namespace fashion_mnist {

struct EpochMetrics {
  int epoch;
  double train_loss, train_accuracy, test_loss, test_accuracy, seconds, learning_rate;  // lr at the epoch's start
};

// The weight of curves.png's smoothing: each point's smoothed value keeps 0.9 of the previous one's
// (about the last ten steps count), as TensorBoard's smoothing slider at 0.9.
inline constexpr double kSmoothingWeight = 0.9;

// Writes all rows to `path` (overwriting), with a header line.
void write_metrics_csv(const std::vector<EpochMetrics>& rows, const std::string& path);

// TensorBoard's smoothing: the exponential moving average s_t = w·s_{t−1} + (1 − w)·x_t from
// s_0 = 0, debiased as s_t / (1 − w^t) so that the first points are not pulled towards 0.
// ValueError unless 0 <= weight < 1.
std::vector<double> smooth_debiased(const std::vector<double>& values, double weight);

// Draws `png_path` with gnuplot: training loss and accuracy per step of `steps_csv` against the
// fractional epoch (raw values faint, smoothed with kSmoothingWeight over them), each epoch's test
// loss and accuracy of `epochs` as marked points, and the learning rate in a small third panel.
// Returns false, with the reason in `error`, when steps.csv has no row or gnuplot is missing or
// fails; training goes on either way.
bool plot_curves(const std::string& steps_csv, const std::vector<EpochMetrics>& epochs, const std::string& png_path,
                 std::string& error);

}  // namespace fashion_mnist
