#include "examples/fashion_mnist/evaluation_report.h"

#include <filesystem>

#include "examples/fashion_mnist/classes.h"

namespace fashion_mnist {

ReportFiles write_evaluation_report(const std::string& dir, const EvalDetails& details, bool pictures) {
  namespace fs = std::filesystem;
  ReportFiles files;
  const std::string csv = (fs::path(dir) / "confusion.csv").string();
  write_confusion_csv(details.confusion, kClassNames, csv);
  files.written.push_back(csv);
  if (!pictures) return files;

  std::string error;
  const std::string confusion_png = (fs::path(dir) / "confusion.png").string();
  if (plot_confusion(details.confusion, kClassNames, confusion_png, error)) {
    files.written.push_back(confusion_png);
  } else {
    files.notes.push_back(error);
  }
  // Pixels were standardised as (byte / 255 − mean) / std: black and white are these values.
  const auto low = static_cast<float>((0.0 - lucid::data::kFashionMnistMean) / lucid::data::kFashionMnistStd);
  const auto high = static_cast<float>((1.0 - lucid::data::kFashionMnistMean) / lucid::data::kFashionMnistStd);
  const std::string mistakes_png = (fs::path(dir) / "mistakes.png").string();
  if (plot_mistakes(details.mistakes, details.image_height, details.image_width, low, high, kClassNames, mistakes_png, error)) {
    files.written.push_back(mistakes_png);
  } else {
    files.notes.push_back(error);
  }
  return files;
}

}  // namespace fashion_mnist
