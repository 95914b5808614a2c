// The Fashion-MNIST example's report pieces in-process: TensorBoard's debiased smoothing against
// hand-computed values, steps.csv writing and resuming, the confusion matrix (counts, CSV, and on
// real evaluation its diagonal equal to the reported accuracy × samples), captions, gnuplot quoting,
// and the pictures skipped with a note when the PATH has no gnuplot.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "examples/fashion_mnist/classes.h"
#include "examples/fashion_mnist/confusion.h"
#include "examples/fashion_mnist/evaluation_report.h"
#include "examples/fashion_mnist/gnuplot.h"
#include "examples/fashion_mnist/mistakes.h"
#include "examples/fashion_mnist/model.h"
#include "examples/fashion_mnist/plot.h"
#include "examples/fashion_mnist/step_log.h"
#include "examples/fashion_mnist/train.h"
#include "lucid.h"
#include "tests/modules/file_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

std::string report_file_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(FashionMnistReport, SmoothingIsTensorBoardsDebiasedMovingAverage) {
  // w = 0.5 over 1, 0, 1: s = 0.5, 0.25, 0.625; debiased by 1 − 0.5^t = 0.5, 0.75, 0.875.
  const std::vector<double> s = fashion_mnist::smooth_debiased({1.0, 0.0, 1.0}, 0.5);
  ASSERT_EQ(s.size(), 3U);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(s[2], 0.625 / 0.875);
  // Debiasing keeps a constant series constant from its first point; weight 0 is no smoothing.
  for (const double v : fashion_mnist::smooth_debiased({2.5, 2.5, 2.5, 2.5}, 0.9)) EXPECT_NEAR(v, 2.5, 1e-12);
  EXPECT_EQ(fashion_mnist::smooth_debiased({3.0, -1.0}, 0.0), (std::vector<double>{3.0, -1.0}));
  EXPECT_THROW(fashion_mnist::smooth_debiased({1.0}, 1.0), ValueError);
  EXPECT_THROW(fashion_mnist::smooth_debiased({1.0}, -0.1), ValueError);
}

TEST(FashionMnistReport, StepLogWritesRowsAndAResumeKeepsOnlyEarlierSteps) {
  const TempDir dir;
  const std::string path = (dir.path() / "steps.csv").string();
  {
    fashion_mnist::StepLog log(path, 0);
    for (std::int64_t step = 1; step <= 4; ++step) {
      log.write({step, 0.25 * static_cast<double>(step), 2.0 / static_cast<double>(step), 0.5, 1e-3, 1000.0});
    }
    // Flushed per row: the file holds the rows while the log is still open.
    EXPECT_EQ(fashion_mnist::read_step_rows(path).size(), 4U);
  }
  EXPECT_EQ(report_file_text(path),
            "step,epoch,loss,accuracy,learning_rate,samples_per_second\n"
            "1,0.250000,2.000000,0.500000,0.001,1000.0\n"
            "2,0.500000,1.000000,0.500000,0.001,1000.0\n"
            "3,0.750000,0.666667,0.500000,0.001,1000.0\n"
            "4,1.000000,0.500000,0.500000,0.001,1000.0\n");
  {
    fashion_mnist::StepLog resumed(path, 2);  // resumed from a checkpoint after step 2
    resumed.write({3, 0.75, 0.9, 0.75, 5e-4, 900.0});
  }
  const std::vector<fashion_mnist::StepRow> rows = fashion_mnist::read_step_rows(path);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].step, 1);
  EXPECT_EQ(rows[1].step, 2);
  EXPECT_EQ(rows[2].step, 3);
  EXPECT_DOUBLE_EQ(rows[2].loss, 0.9);
  { fashion_mnist::StepLog fresh(path, 0); }
  EXPECT_TRUE(fashion_mnist::read_step_rows(path).empty());

  std::ofstream(path) << "epoch,loss\n1,2\n";
  EXPECT_NE(error_message<ValueError>([&] { fashion_mnist::StepLog log(path, 1); }).find("expected the header"), std::string::npos);
  EXPECT_THROW(fashion_mnist::StepLog(path, -1), ValueError);
}

TEST(FashionMnistReport, ConfusionMatrixCountsAndCsv) {
  fashion_mnist::ConfusionMatrix m(3);
  m.add(0, 0);
  m.add(0, 2);
  m.add(1, 1);
  m.add(2, 1);
  m.add(2, 1);
  EXPECT_EQ(m.total(), 5);
  EXPECT_EQ(m.correct(), 2);
  EXPECT_EQ(m.count(2, 1), 2);
  EXPECT_EQ(error_message<ValueError>([&] { m.add(3, 0); }), "ConfusionMatrix::add: true class 3 or predicted class 0 is outside [0, 3)");
  EXPECT_THROW(fashion_mnist::ConfusionMatrix(0), ValueError);

  const TempDir dir;
  const std::vector<std::string_view> names = {"a", "b", "c"};
  fashion_mnist::write_confusion_csv(m, names, (dir.path() / "c.csv").string());
  EXPECT_EQ(report_file_text(dir.path() / "c.csv"), "true\\predicted,a,b,c\na,1,0,1\nb,0,1,0\nc,0,2,0\n");
  EXPECT_THROW(fashion_mnist::write_confusion_csv(m, fashion_mnist::kClassNames, (dir.path() / "d.csv").string()),
               ValueError);
}

TEST(FashionMnistReport, CaptionsAndGnuplotQuoting) {
  const fashion_mnist::Mistake m{{}, 6, 0, 0.8349};
  EXPECT_EQ(fashion_mnist::mistake_caption(m, fashion_mnist::kClassNames), "Shirt →\nT-shirt/top (0.83)");
  EXPECT_THROW(fashion_mnist::mistake_caption({{}, 10, 0, 0.5}, fashion_mnist::kClassNames), ValueError);
  EXPECT_EQ(fashion_mnist::gnuplot_quote("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
}

// Evaluation of a briefly trained model on the first 300 test images: the confusion matrix counts
// every sample once, its diagonal is the accuracy evaluate reports (computed separately, by tensor
// ops) times the samples, and each mistake is one.
TEST(FashionMnistReport, ConfusionDiagonalEqualsReportedAccuracyTimesSamples) {
  const std::filesystem::path data_dir = data::kFashionMnistDir;
  if (!std::filesystem::exists(data_dir / "t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << data_dir << " is not installed (Debian dataset-fashion-mnist)";
  }
  manual_seed(3);
  const auto model = fashion_mnist::make_model();
  optim::AdamW optimizer(model->parameters(), {.lr = 2e-3});
  const data::Dataset train = data::load_fashion_mnist(data_dir, true, 640);
  data::DataLoader loader(train, {.batch_size = 64, .shuffle = true, .seed = 3});
  fashion_mnist::train_epoch(*model, optimizer, loader);

  const data::Dataset test = data::load_fashion_mnist(data_dir, false, 300);
  fashion_mnist::EvalDetails details;
  const fashion_mnist::PassResult r = fashion_mnist::evaluate(*model, test, 128, &details);
  ASSERT_EQ(r.samples, 300);
  EXPECT_EQ(details.confusion.total(), 300);
  EXPECT_EQ(details.confusion.correct(), std::llround(r.accuracy * 300.0));
  EXPECT_NEAR(static_cast<double>(details.confusion.correct()), r.accuracy * 300.0, 1e-9);
  EXPECT_GT(r.accuracy, 0.3) << "10 steps of training should beat chance (0.1) clearly";
  EXPECT_LT(r.accuracy, 1.0);
  const std::vector<std::int64_t> targets = test.targets.to_vector<std::int64_t>();
  ASSERT_EQ(details.predictions.size(), 300U);
  for (std::int64_t t = 0; t < 10; ++t) {
    std::int64_t row = 0;
    for (std::int64_t p = 0; p < 10; ++p) row += details.confusion.count(t, p);
    EXPECT_EQ(row, std::count(targets.begin(), targets.end(), t)) << "class " << t;
  }
  ASSERT_EQ(details.mistakes.size(), std::min<std::size_t>(64, 300 - details.confusion.correct()));
  EXPECT_EQ(details.image_height, 28);
  EXPECT_EQ(details.image_width, 28);
  for (const fashion_mnist::Mistake& m : details.mistakes) {
    EXPECT_NE(m.true_class, m.predicted_class);
    EXPECT_EQ(m.image.size(), 28U * 28U);
    EXPECT_GE(m.probability, 0.1 - 1e-6) << "the arg-max of 10 softmax probabilities is at least 1/10";
    EXPECT_LE(m.probability, 1.0);
  }
  // The first mistake is the first test image whose prediction is wrong, with its pixels.
  std::size_t first = 0;
  while (details.predictions[first] == targets[first]) ++first;
  const std::vector<float> pixels = test.images.to_vector<float>();
  EXPECT_EQ(details.mistakes[0].true_class, targets[first]);
  EXPECT_EQ(details.mistakes[0].image,
            std::vector<float>(pixels.begin() + static_cast<std::ptrdiff_t>(first * 784),
                               pixels.begin() + static_cast<std::ptrdiff_t>((first + 1) * 784)));

  // Without gnuplot on the PATH: the CSV is written, the pictures are not, and nothing throws.
  const TempDir dir;
  const std::string saved_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", dir.path().c_str(), 1);
  const bool available = fashion_mnist::gnuplot_available();
  std::string error;
  const bool drawn = fashion_mnist::plot_confusion(details.confusion, fashion_mnist::kClassNames,
                                                   (dir.path() / "x.png").string(), error);
  setenv("PATH", saved_path.c_str(), 1);
  EXPECT_FALSE(available);
  EXPECT_FALSE(drawn);
  EXPECT_NE(error.find("install gnuplot-nox"), std::string::npos) << error;
  const fashion_mnist::ReportFiles files = fashion_mnist::write_evaluation_report(dir.path().string(), details, false);
  EXPECT_EQ(files.written, std::vector<std::string>{(dir.path() / "confusion.csv").string()});
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "confusion.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "confusion.png"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "x.png"));
}

}  // namespace
}  // namespace lucid::test
