#include "examples/fashion_mnist/plot.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace fashion_mnist {

void write_metrics_csv(const std::vector<EpochMetrics>& rows, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,learning_rate\n";
  out.precision(6);
  for (const EpochMetrics& r : rows) {
    out << r.epoch << ',' << r.train_loss << ',' << r.train_accuracy << ',' << r.test_loss << ','
        << r.test_accuracy << ',' << r.seconds << ',' << r.learning_rate << '\n';
  }
}

bool plot_curves(const std::string& csv_path, const std::string& png_path, std::string& error) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    error = "gnuplot not found (install gnuplot-nox); skipped " + png_path;
    return false;
  }
  const std::string script_path = png_path + ".gp";
  {
    std::ofstream gp(script_path);
    gp << "set terminal png size 1000,400\n"
       << "set output '" << png_path << "'\n"
       << "set datafile separator ','\n"
       << "set key autotitle columnhead\n"
       << "set xrange [0:*]\n"
       << "set multiplot layout 1,2\n"
       << "set title 'loss'; set xlabel 'epoch'; set grid\n"
       << "plot '" << csv_path << "' using 1:2 with linespoints title 'train', '' using 1:4 with linespoints title 'test'\n"
       << "set title 'accuracy'; set xlabel 'epoch'\n"
       << "plot '" << csv_path << "' using 1:3 with linespoints title 'train', '' using 1:5 with linespoints title 'test'\n"
       << "unset multiplot\n";
  }
  const int status = std::system(("gnuplot '" + script_path + "' 2>&1").c_str());
  std::remove(script_path.c_str());
  if (status != 0) {
    error = "gnuplot failed (status " + std::to_string(status) + ")";
    return false;
  }
  return true;
}

}  // namespace fashion_mnist
