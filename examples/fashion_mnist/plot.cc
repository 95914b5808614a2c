#include "examples/fashion_mnist/plot.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "examples/fashion_mnist/gnuplot.h"
#include "examples/fashion_mnist/step_log.h"
#include "lucid.h"

namespace fashion_mnist {

void write_metrics_csv(const std::vector<EpochMetrics>& rows, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw lucid::ValueError("cannot write " + path);
  out << "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,learning_rate\n";
  out.precision(6);
  for (const EpochMetrics& r : rows) {
    out << r.epoch << ',' << r.train_loss << ',' << r.train_accuracy << ',' << r.test_loss << ','
        << r.test_accuracy << ',' << r.seconds << ',' << r.learning_rate << '\n';
  }
}

// s_t = w·s_{t−1} + (1 − w)·x_t, reported as s_t / (1 − w^t) (t from 1).
std::vector<double> smooth_debiased(const std::vector<double>& values, double weight) {
  if (!(weight >= 0.0 && weight < 1.0)) {
    throw lucid::ValueError("smoothing weight (" + std::to_string(weight) + ") must be in [0, 1)");
  }
  std::vector<double> smoothed;
  smoothed.reserve(values.size());
  double average = 0.0, weight_power = 1.0;
  for (const double x : values) {
    average = weight * average + (1.0 - weight) * x;
    weight_power *= weight;
    smoothed.push_back(average / (1.0 - weight_power));
  }
  return smoothed;
}

// Two inline data blocks: $steps (epoch, loss, smoothed loss, accuracy, smoothed accuracy, lr) and
// $tests (epoch, test loss, test accuracy). Layout on 1100 × 760: loss and accuracy side by side on
// the top 70 %, the learning rate across the bottom 30 %, all over the same epoch range (2 % beyond
// the last epoch, so that its test point shows whole).
bool plot_curves(const std::string& steps_csv, const std::vector<EpochMetrics>& epochs, const std::string& png_path,
                 std::string& error) {
  const std::vector<StepRow> rows = read_step_rows(steps_csv);
  if (rows.empty()) {
    error = steps_csv + " has no row yet; skipped " + png_path;
    return false;
  }
  std::vector<double> losses, accuracies;
  for (const StepRow& r : rows) {
    losses.push_back(r.loss);
    accuracies.push_back(r.accuracy);
  }
  const std::vector<double> smooth_loss = smooth_debiased(losses, kSmoothingWeight);
  const std::vector<double> smooth_accuracy = smooth_debiased(accuracies, kSmoothingWeight);
  double last_epoch = rows.back().epoch;
  std::ostringstream gp;
  gp.precision(8);
  gp << "$steps << EOD\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    gp << rows[i].epoch << ' ' << losses[i] << ' ' << smooth_loss[i] << ' ' << accuracies[i] << ' '
       << smooth_accuracy[i] << ' ' << rows[i].learning_rate << '\n';
  }
  gp << "EOD\n$tests << EOD\n";
  for (const EpochMetrics& e : epochs) {
    gp << e.epoch << ' ' << e.test_loss << ' ' << e.test_accuracy << '\n';
    last_epoch = std::max(last_epoch, static_cast<double>(e.epoch));
  }
  gp << "EOD\n";
  std::ostringstream smoothed;
  smoothed << " title 'train, smoothed (weight " << kSmoothingWeight << ")'";
  // gnuplot's libgd png terminal: a palette PNG of ~20 KB here, where pngcairo's antialiased
  // thousands of faint segments took ~100 KB.
  gp << "set terminal png size 1100,760 font ',10'\n"
     << "set grid; set key top right; set xrange [0:" << 1.02 * last_epoch << "]\n"  // room for the last test point
     << "raw = 'lc rgb \"#c6dbef\" lw 1'; smooth = 'lc rgb \"#08519c\" lw 2'; test = 'lc rgb \"#d62728\" pt 7 ps 1.3'\n"
     << "set multiplot\n"
     << "set size 0.5,0.7; set origin 0,0.3; set title 'training loss (per step) and test loss (per epoch)'\n"
     << "set xlabel 'epoch'; set ylabel 'cross-entropy'\n"
     << "plot $steps using 1:2 with lines @raw title 'train, per step', $steps using 1:3 with lines @smooth"
     << smoothed.str() << ", $tests using 1:2 with points @test title 'test'\n"
     << "set origin 0.5,0.3; set title 'training accuracy (per step) and test accuracy (per epoch)'\n"
     << "set ylabel 'accuracy'; set key bottom right\n"
     << "plot $steps using 1:4 with lines @raw title 'train, per step', $steps using 1:5 with lines @smooth"
     << smoothed.str() << ", $tests using 1:3 with points @test title 'test'\n"
     << "set size 1,0.3; set origin 0,0; set title 'learning rate'; set ylabel 'lr'; unset key\n"
     << "set format y '%.1e'\n"
     << "plot $steps using 1:6 with lines lc rgb '#2ca02c' lw 2\n"
     << "unset multiplot\n";
  return run_gnuplot(gp.str(), png_path, error);
}

}  // namespace fashion_mnist
