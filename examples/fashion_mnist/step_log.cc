#include "examples/fashion_mnist/step_log.h"

#include <cstdio>

#include "lucid.h"

namespace fashion_mnist {
namespace {

// The data lines of `path` (after checking its header); none when the file does not exist.
std::vector<std::string> data_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  if (!in) return lines;
  std::string line;
  if (std::getline(in, line) && line != kStepsHeader) {
    throw lucid::ValueError(path + " starts with '" + line + "', expected the header '" + kStepsHeader + "'");
  }
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

StepRow parse_row(const std::string& path, std::size_t line_number, const std::string& line) {
  StepRow r;
  long long step = 0;
  if (std::sscanf(line.c_str(), "%lld,%lf,%lf,%lf,%lf,%lf", &step, &r.epoch, &r.loss, &r.accuracy, &r.learning_rate,
                  &r.samples_per_second) != 6) {
    throw lucid::ValueError(path + " line " + std::to_string(line_number) + " ('" + line + "') is not a steps.csv row");
  }
  r.step = step;
  return r;
}

}  // namespace

StepLog::StepLog(const std::string& path, std::int64_t after_step) : path_(path) {
  if (after_step < 0) throw lucid::ValueError("StepLog: after_step (" + std::to_string(after_step) + ") must be >= 0");
  std::vector<std::string> kept;
  if (after_step > 0) {
    const std::vector<std::string> lines = data_lines(path);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (parse_row(path, i + 2, lines[i]).step <= after_step) kept.push_back(lines[i]);
    }
  }
  out_.open(path, std::ios::trunc);
  out_ << kStepsHeader << '\n';
  for (const std::string& line : kept) out_ << line << '\n';
  out_.flush();
  if (!out_) throw lucid::ValueError("cannot write " + path);
}

void StepLog::write(const StepRow& row) {
  char line[256];
  std::snprintf(line, sizeof line, "%lld,%.6f,%.6f,%.6f,%.6g,%.1f\n", static_cast<long long>(row.step), row.epoch,
                row.loss, row.accuracy, row.learning_rate, row.samples_per_second);
  out_ << line;
  out_.flush();
  if (!out_) throw lucid::ValueError("cannot write " + path_);
}

std::vector<StepRow> read_step_rows(const std::string& path) {
  std::vector<StepRow> rows;
  const std::vector<std::string> lines = data_lines(path);
  for (std::size_t i = 0; i < lines.size(); ++i) rows.push_back(parse_row(path, i + 2, lines[i]));
  return rows;
}

}  // namespace fashion_mnist
