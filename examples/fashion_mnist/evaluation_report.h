// The files an evaluation leaves in the output directory: confusion.csv always, and, when pictures
// are wanted (gnuplot is there), confusion.png and mistakes.png. Written after each epoch's test
// pass and by --eval-only.
#pragma once

#include <string>
#include <vector>

#include "examples/fashion_mnist/train.h"

namespace fashion_mnist {

struct ReportFiles {
  std::vector<std::string> written;  // paths of the files written
  std::vector<std::string> notes;    // why a picture was not drawn (gnuplot failed, no mistake)
};

// Writes <dir>/confusion.csv from `details.confusion` and, with `pictures`, <dir>/confusion.png and
// <dir>/mistakes.png (the mistakes' images, standardised as load_fashion_mnist does).
ReportFiles write_evaluation_report(const std::string& dir, const EvalDetails& details, bool pictures);

}  // namespace fashion_mnist
