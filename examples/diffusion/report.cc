// metrics.csv, loss.png and the sample grids of the diffusion example (report.h).
#include "examples/diffusion/report.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "examples/common/image_grid.h"

namespace diffusion {

void write_metrics_csv(const std::vector<EpochRow>& rows, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw lucid::ValueError("cannot write " + path);
  out << "epoch,loss,seconds,learning_rate,score\n";
  out.precision(6);
  for (const EpochRow& r : rows) {
    out << r.epoch << ',' << r.loss << ',' << r.seconds << ',' << r.learning_rate << ',';
    if (r.score) out << *r.score;
    out << '\n';
  }
}

std::vector<EpochRow> read_metrics_csv(const std::string& path, int last_epoch) {
  std::vector<EpochRow> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    EpochRow r;
    char score[64] = "";
    const int read = std::sscanf(line.c_str(), "%d,%lf,%lf,%lf,%63s", &r.epoch, &r.loss, &r.seconds, &r.learning_rate, score);
    if (read < 4 || r.epoch > last_epoch) continue;
    if (read == 5) r.score = std::strtod(score, nullptr);
    rows.push_back(r);
  }
  return rows;
}

bool plot_loss(const std::string& steps_csv, const std::string& png_path, std::string& error) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    error = "gnuplot not found (install gnuplot-nox); skipped " + png_path;
    return false;
  }
  const std::string script_path = png_path + ".gp";
  {
    std::ofstream gp(script_path);
    gp << "set terminal png size 800,400\n"
       << "set output '" << png_path << "'\n"
       << "set datafile separator ','\n"
       << "set title 'diffusion training loss (mean squared error of the predicted noise)'\n"
       << "set xlabel 'optimizer step'; set ylabel 'loss'; set logscale y; set grid\n"
       << "plot '" << steps_csv << "' using 1:3 every ::1 with lines title 'batch loss'\n";
  }
  const int status = std::system(("gnuplot '" + script_path + "' 2>&1").c_str());
  std::remove(script_path.c_str());
  if (status != 0) {
    error = "gnuplot failed (status " + std::to_string(status) + ")";
    return false;
  }
  return true;
}

void write_sample_grid(UNet& model, const NoiseSchedule& schedule, std::int64_t per_class, const SamplerOptions& sampler,
                       lucid::Generator& generator, const std::string& path) {
  const lucid::Tensor samples = sample(model, schedule, labels_per_class(per_class), sampler, generator);
  const std::vector<float> pixels = samples.to_vector<float>();
  lucid_examples::write_image_grid_png(path, pixels, samples.size(0), 28, 28,
                                       {.columns = per_class, .scale = 2, .low = -1.0F, .high = 1.0F});
}

}  // namespace diffusion
