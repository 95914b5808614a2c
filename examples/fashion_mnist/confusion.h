// The confusion matrix of a classifier's test predictions: counts per (true class, predicted
// class), written as confusion.csv and drawn by gnuplot as confusion.png (counts in the cells,
// colour = the count's share of its row, i.e. of the true class's samples).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fashion_mnist {

class ConfusionMatrix {
 public:
  // A `classes` × `classes` matrix of zeros; ValueError for classes < 1.
  explicit ConfusionMatrix(std::int64_t classes);
  // Counts one sample; ValueError naming the values when a class id is outside [0, classes).
  void add(std::int64_t true_class, std::int64_t predicted_class);
  std::int64_t count(std::int64_t true_class, std::int64_t predicted_class) const;
  std::int64_t classes() const { return classes_; }
  std::int64_t total() const;    // Σ of all cells: the samples counted
  std::int64_t correct() const;  // Σ of the diagonal
  // Row-major cells (row = true class), e.g. to sum them over ranks.
  std::vector<std::int64_t>& cells() { return cells_; }

 private:
  std::int64_t classes_;
  std::vector<std::int64_t> cells_;
};

// confusion.csv: a header `true\predicted,<class names>`, then per true class its name and counts.
// `names` must hold one name per class (ValueError otherwise).
void write_confusion_csv(const ConfusionMatrix& matrix, std::span<const std::string_view> names, const std::string& path);
// confusion.png by gnuplot. Returns false with the reason in `error` when gnuplot is missing or fails.
bool plot_confusion(const ConfusionMatrix& matrix, std::span<const std::string_view> names, const std::string& png_path,
                    std::string& error);

}  // namespace fashion_mnist
