#include "examples/fashion_mnist/confusion.h"

#include <fstream>
#include <sstream>

#include "examples/fashion_mnist/gnuplot.h"
#include "lucid.h"

namespace fashion_mnist {
namespace {

void check_names(const ConfusionMatrix& matrix, std::span<const std::string_view> names) {
  if (static_cast<std::int64_t>(names.size()) != matrix.classes()) {
    throw lucid::ValueError("confusion matrix: " + std::to_string(names.size()) + " class names for " +
                            std::to_string(matrix.classes()) + " classes");
  }
}

}  // namespace

ConfusionMatrix::ConfusionMatrix(std::int64_t classes) : classes_(classes) {
  if (classes < 1) throw lucid::ValueError("ConfusionMatrix: classes (" + std::to_string(classes) + ") must be >= 1");
  cells_.assign(static_cast<std::size_t>(classes * classes), 0);
}

void ConfusionMatrix::add(std::int64_t true_class, std::int64_t predicted_class) {
  if (true_class < 0 || true_class >= classes_ || predicted_class < 0 || predicted_class >= classes_) {
    throw lucid::ValueError("ConfusionMatrix::add: true class " + std::to_string(true_class) + " or predicted class " +
                            std::to_string(predicted_class) + " is outside [0, " + std::to_string(classes_) + ")");
  }
  ++cells_[static_cast<std::size_t>(true_class * classes_ + predicted_class)];
}

std::int64_t ConfusionMatrix::count(std::int64_t true_class, std::int64_t predicted_class) const {
  return cells_.at(static_cast<std::size_t>(true_class * classes_ + predicted_class));
}

std::int64_t ConfusionMatrix::total() const {
  std::int64_t sum = 0;
  for (const std::int64_t c : cells_) sum += c;
  return sum;
}

std::int64_t ConfusionMatrix::correct() const {
  std::int64_t sum = 0;
  for (std::int64_t k = 0; k < classes_; ++k) sum += count(k, k);
  return sum;
}

void write_confusion_csv(const ConfusionMatrix& matrix, std::span<const std::string_view> names, const std::string& path) {
  check_names(matrix, names);
  std::ofstream out(path);
  if (!out) throw lucid::ValueError("cannot write " + path);
  out << "true\\predicted";
  for (const std::string_view name : names) out << ',' << name;
  out << '\n';
  for (std::int64_t t = 0; t < matrix.classes(); ++t) {
    out << names[static_cast<std::size_t>(t)];
    for (std::int64_t p = 0; p < matrix.classes(); ++p) out << ',' << matrix.count(t, p);
    out << '\n';
  }
}

// One inline data block of `x y share count` per cell (x = predicted, y = true class, share = count /
// row total), drawn `with image` (white → dark blue over [0, 1]) and the count as a label, white on
// cells darker than half.
bool plot_confusion(const ConfusionMatrix& matrix, std::span<const std::string_view> names, const std::string& png_path,
                    std::string& error) {
  check_names(matrix, names);
  const std::int64_t k = matrix.classes();
  std::ostringstream gp;
  gp << "set terminal pngcairo size 820,760 font ',10'\n"
     << "$cells << EOD\n";
  for (std::int64_t t = 0; t < k; ++t) {
    std::int64_t row_total = 0;
    for (std::int64_t p = 0; p < k; ++p) row_total += matrix.count(t, p);
    for (std::int64_t p = 0; p < k; ++p) {
      const double share = row_total > 0 ? static_cast<double>(matrix.count(t, p)) / static_cast<double>(row_total) : 0.0;
      gp << p << ' ' << t << ' ' << share << ' ' << matrix.count(t, p) << '\n';
    }
  }
  gp << "EOD\n";
  std::ostringstream tics;
  for (std::int64_t c = 0; c < k; ++c) tics << (c ? ", " : "") << gnuplot_quote(std::string(names[static_cast<std::size_t>(c)])) << ' ' << c;
  gp << "set title " << gnuplot_quote("confusion matrix: " + std::to_string(matrix.total()) + " test samples, " +
                                      std::to_string(matrix.correct()) + " correct (colour: share of the true class)")
     << "\nset xtics (" << tics.str() << ") rotate by 45 right\n"
     << "set ytics (" << tics.str() << ")\n"
     << "set xlabel 'predicted class'; set ylabel 'true class'\n"
     << "set xrange [-0.5:" << k - 0.5 << "]; set yrange [" << k - 0.5 << ":-0.5]\n"
     << "set cbrange [0:1]; set cblabel 'share of the row'\n"
     << "set palette defined (0 '#ffffff', 0.5 '#6baed6', 1 '#08306b')\n"
     << "set size ratio -1; unset key; set tics scale 0\n"
     << "plot $cells using 1:2:3 with image, "
     << "$cells using 1:2:(sprintf('%d', $4)):($3 > 0.5 ? 0xffffff : 0) with labels textcolor rgb variable\n";
  return run_gnuplot(gp.str(), png_path, error);
}

}  // namespace fashion_mnist
