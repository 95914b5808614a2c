// steps.csv: one row per optimizer step (or every k-th: the caller chooses), written and flushed as training goes so
// that `tail -f` follows it. Columns: step (from 1, counted over the whole run, resumes included),
// epoch (fractional: step / steps per epoch, so 0.25 is a quarter into the first epoch), the step's
// batch loss and accuracy (before its update), the learning rate the step used, and the step's
// samples per second (its batch's loading included; under mpirun all ranks' samples over the
// slowest rank's time).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace fashion_mnist {

inline constexpr const char* kStepsHeader = "step,epoch,loss,accuracy,learning_rate,samples_per_second";

struct StepRow {
  std::int64_t step = 0;
  double epoch = 0.0, loss = 0.0, accuracy = 0.0, learning_rate = 0.0, samples_per_second = 0.0;
};

class StepLog {
 public:
  // Opens `path` for a run whose first step will be `after_step` + 1. after_step == 0 (a fresh run)
  // starts a new file with the header; a resumed run keeps the rows of an existing file with
  // step <= after_step (those of a longer earlier run beyond its checkpoint are dropped) and appends
  // after them. ValueError for after_step < 0, an existing file with another header or a row that
  // does not parse, or a file that cannot be written.
  StepLog(const std::string& path, std::int64_t after_step);

  // Appends the row and flushes it.
  void write(const StepRow& row);

 private:
  std::string path_;
  std::ofstream out_;
};

// The rows of a steps.csv (ValueError naming the file and line when one does not parse).
std::vector<StepRow> read_step_rows(const std::string& path);

}  // namespace fashion_mnist
