// The Fashion-MNIST program end to end on small subsets (640 training images = 5 steps of 128, 300
// test images; 1-1.5 s of CPU per run): steps.csv has one row per optimizer step with the cosine
// schedule's learning rates (closed form), a resumed run appends and continues the step count,
// --log-every thins the rows, confusion.csv's diagonal is the reported test accuracy × the test
// samples (training and --eval-only), the pictures are PNGs of the documented sizes, and without
// gnuplot on the PATH training succeeds with one note and every CSV file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "lucid.h"
#include "tests/modules/file_util.h"

namespace lucid::test {
namespace {

namespace fs = std::filesystem;

constexpr double kRunLr = 2e-3;  // the program's default --lr

// The program with `arguments` (and `environment` assignments before it), stdout and stderr kept
// in <dir>/stdout.txt and <dir>/stderr.txt. Returns the exit status.
int run_program(const fs::path& dir, const std::string& arguments, const std::string& environment = "") {
  const std::string command = environment + " OMP_NUM_THREADS=1 " + LUCID_FASHION_MNIST_PROGRAM + " --threads 1 " +
                              arguments + " > '" + (dir / "stdout.txt").string() + "' 2> '" +
                              (dir / "stderr.txt").string() + "'";
  return std::system(command.c_str());
}

std::string run_file_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> run_file_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// steps.csv's rows as numbers (the header checked).
std::vector<std::vector<double>> steps_rows(const fs::path& path) {
  const std::vector<std::string> lines = run_file_lines(path);
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return {};
  EXPECT_EQ(lines[0], "step,epoch,loss,accuracy,learning_rate,samples_per_second");
  std::vector<std::vector<double>> rows;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<double> row;
    std::stringstream fields(lines[i]);
    for (std::string field; std::getline(fields, field, ',');) row.push_back(std::stod(field));
    EXPECT_EQ(row.size(), 6U) << lines[i];
    rows.push_back(row);
  }
  return rows;
}

// confusion.csv: the 10 × 10 counts (class names checked on both axes).
std::vector<std::vector<std::int64_t>> confusion_counts(const fs::path& path) {
  const std::vector<std::string> lines = run_file_lines(path);
  EXPECT_EQ(lines.size(), 11U);
  if (lines.size() != 11U) return {};
  EXPECT_EQ(lines[0], "true\\predicted,T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot");
  std::vector<std::vector<std::int64_t>> counts;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::stringstream fields(lines[i]);
    std::string name;
    std::getline(fields, name, ',');
    std::vector<std::int64_t> row;
    for (std::string field; std::getline(fields, field, ',');) row.push_back(std::stoll(field));
    EXPECT_EQ(row.size(), 10U) << lines[i];
    counts.push_back(row);
  }
  return counts;
}

std::int64_t diagonal(const std::vector<std::vector<std::int64_t>>& counts) {
  std::int64_t sum = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) sum += counts[k][k];
  return sum;
}

std::int64_t total(const std::vector<std::vector<std::int64_t>>& counts) {
  std::int64_t sum = 0;
  for (const auto& row : counts) {
    for (const std::int64_t c : row) sum += c;
  }
  return sum;
}

// The width and height in a PNG's IHDR chunk (after checking the signature).
std::pair<std::uint32_t, std::uint32_t> png_size(const fs::path& path) {
  const std::string bytes = run_file_text(path);
  EXPECT_GE(bytes.size(), 24U) << path;
  if (bytes.size() < 24U) return {0, 0};
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path;
  auto be32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  return {be32(16), be32(20)};
}

// The test accuracy of metrics.csv's last row (its fifth column).
double last_test_accuracy(const fs::path& metrics_csv) {
  const std::vector<std::string> lines = run_file_lines(metrics_csv);
  std::stringstream fields(lines.back());
  std::string field;
  for (int column = 0; column < 5; ++column) std::getline(fields, field, ',');
  return std::stod(field);
}

void expect_eval_only_confusion_matches_its_accuracy(const fs::path& dir, const std::string& arguments) {
  fs::remove(dir / "confusion.csv");
  ASSERT_EQ(run_program(dir, "--eval-only --resume '" + (dir / "epoch_2.safetensors").string() + "'" + arguments), 0);
  const std::string stdout_text = run_file_text(dir / "stdout.txt");
  double loss = 0.0, accuracy = 0.0;
  long long samples = 0;
  const std::size_t at = stdout_text.find("test: loss");
  ASSERT_NE(at, std::string::npos) << stdout_text;
  ASSERT_EQ(std::sscanf(stdout_text.c_str() + at, "test: loss %lf accuracy %lf (%lld samples", &loss, &accuracy, &samples), 3)
      << stdout_text;
  EXPECT_EQ(samples, 300);
  const auto counts = confusion_counts(dir / "confusion.csv");
  ASSERT_EQ(counts.size(), 10U);
  EXPECT_EQ(total(counts), 300);
  EXPECT_NEAR(static_cast<double>(diagonal(counts)), accuracy * 300.0, 0.5e-4 * 300.0);  // accuracy printed to 4 places
  // predictions.csv agrees with the matrix's columns (samples predicted per class).
  std::vector<std::int64_t> predicted(10, 0);
  const std::vector<std::string> lines = run_file_lines(dir / "predictions.csv");
  ASSERT_EQ(lines.size(), 301U);
  for (std::size_t i = 1; i < lines.size(); ++i) ++predicted.at(std::stoul(lines[i].substr(lines[i].find(',') + 1)));
  for (std::size_t p = 0; p < 10; ++p) {
    std::int64_t column = 0;
    for (std::size_t t = 0; t < 10; ++t) column += counts[t][p];
    EXPECT_EQ(column, predicted[p]) << "class " << p;
  }
}

class FashionMnistRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fs::path(data::kFashionMnistDir) / "train-images-idx3-ubyte.gz")) {
      GTEST_SKIP() << data::kFashionMnistDir << " is not installed (Debian dataset-fashion-mnist)";
    }
  }
  const TempDir dir_;
  const std::string small_ = " --limit 640 --test-limit 300 --batch-size 128 --out '";
  std::string out() const { return dir_.path().string() + "'"; }
};

TEST_F(FashionMnistRun, StepRowPerBatchResumeConfusionAndEvalOnly) {
  ASSERT_EQ(run_program(dir_.path(), "--epochs 2" + small_ + out()), 0) << run_file_text(dir_.path() / "stderr.txt");
  const std::vector<std::vector<double>> two_epochs = steps_rows(dir_.path() / "steps.csv");
  ASSERT_EQ(two_epochs.size(), 10U) << "640 samples in batches of 128: 5 steps per epoch";
  for (std::size_t i = 0; i < two_epochs.size(); ++i) {
    const std::vector<double>& r = two_epochs[i];
    EXPECT_EQ(r[0], static_cast<double>(i + 1));
    EXPECT_NEAR(r[1], static_cast<double>(i + 1) / 5.0, 1e-6);
    EXPECT_TRUE(std::isfinite(r[2]) && r[2] > 0.0) << r[2];
    EXPECT_TRUE(r[3] >= 0.0 && r[3] <= 1.0) << r[3];
    // Cosine annealing over the run's 10 steps: step k (from 1) uses ½·lr·(1 + cos(π(k − 1)/10)).
    EXPECT_NEAR(r[4], 0.5 * kRunLr * (1.0 + std::cos(std::numbers::pi * static_cast<double>(i) / 10.0)), 1e-8);
    EXPECT_GT(r[5], 0.0);
  }
  EXPECT_NEAR(two_epochs[0][2], std::log(10.0), 0.5) << "a fresh model's loss is near ln 10";

  // The confusion matrix of the last evaluation: the reported test accuracy × 300 samples.
  const auto counts = confusion_counts(dir_.path() / "confusion.csv");
  ASSERT_EQ(counts.size(), 10U);
  EXPECT_EQ(total(counts), 300);
  EXPECT_NEAR(static_cast<double>(diagonal(counts)), last_test_accuracy(dir_.path() / "metrics.csv") * 300.0, 1e-3);

  // Resuming from epoch 1 keeps steps 1-5 as written and appends 6-10 again.
  const std::vector<std::string> before = run_file_lines(dir_.path() / "steps.csv");
  ASSERT_EQ(run_program(dir_.path(), "--epochs 2 --resume '" + (dir_.path() / "epoch_1.safetensors").string() + "'" +
                                         small_ + out()),
            0)
      << run_file_text(dir_.path() / "stderr.txt");
  const std::vector<std::string> after = run_file_lines(dir_.path() / "steps.csv");
  ASSERT_EQ(after.size(), 11U);
  for (std::size_t i = 0; i <= 5; ++i) EXPECT_EQ(after[i], before[i]) << "line " << i;
  const std::vector<std::vector<double>> resumed = steps_rows(dir_.path() / "steps.csv");
  for (std::size_t i = 5; i < 10; ++i) {
    EXPECT_EQ(resumed[i][0], static_cast<double>(i + 1));
    EXPECT_NEAR(resumed[i][4], two_epochs[i][4], 1e-9) << "the resumed run replays the schedule";
  }

  expect_eval_only_confusion_matches_its_accuracy(dir_.path(), small_ + out());

  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    EXPECT_EQ(png_size(dir_.path() / "curves.png"), std::make_pair(1100U, 760U));
    EXPECT_EQ(png_size(dir_.path() / "confusion.png"), std::make_pair(820U, 760U));
    // 8 tiles of 84 + 6 pixels across; rows of 84 + 26 + 6.
    const auto [width, height] = png_size(dir_.path() / "mistakes.png");
    EXPECT_EQ(width, 8U * 90U + 6U);
    EXPECT_EQ((height - 6U) % 116U, 0U) << height;
  }
}

// --eval-only of the epoch-2 checkpoint in `dir` (made by the test below, which saves a training run):
// the printed accuracy × samples is confusion.csv's diagonal, predictions.csv its column sums.
TEST_F(FashionMnistRun, WithoutGnuplotTrainsWritesTheCsvFilesAndSaysWhatToInstall) {
  const TempDir empty_bin;  // a PATH without gnuplot (the program itself is started by its full path)
  ASSERT_EQ(run_program(dir_.path(), "--epochs 1 --log-every 2" + small_ + out(), "PATH='" + empty_bin.path().string() + "'"),
            0)
      << run_file_text(dir_.path() / "stderr.txt");
  const std::string stderr_text = run_file_text(dir_.path() / "stderr.txt");
  const std::size_t note = stderr_text.find("install gnuplot-nox");
  EXPECT_NE(note, std::string::npos) << stderr_text;
  EXPECT_EQ(stderr_text.find("install gnuplot-nox", note + 1), std::string::npos) << "one note, not one per picture";
  const std::vector<std::vector<double>> rows = steps_rows(dir_.path() / "steps.csv");
  ASSERT_EQ(rows.size(), 2U) << "--log-every 2 over 5 steps: steps 2 and 4";
  EXPECT_EQ(rows[0][0], 2.0);
  EXPECT_EQ(rows[1][0], 4.0);
  EXPECT_TRUE(fs::exists(dir_.path() / "metrics.csv"));
  EXPECT_EQ(confusion_counts(dir_.path() / "confusion.csv").size(), 10U);
  for (const char* picture : {"curves.png", "confusion.png", "mistakes.png"}) {
    EXPECT_FALSE(fs::exists(dir_.path() / picture)) << picture;
  }
}

}  // namespace
}  // namespace lucid::test
