#include "examples/fashion_mnist/progress.h"

#include <unistd.h>

#include <algorithm>

namespace fashion_mnist {
namespace {

constexpr auto kTerminalRefresh = std::chrono::milliseconds(100);
constexpr auto kLogInterval = std::chrono::seconds(5);
constexpr int kBarWidth = 30;

std::string format_duration(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%d:%02d", s / 60, s % 60);
  return buf;
}

}  // namespace

Progress::Progress(std::string label, std::int64_t total, std::FILE* out)
    : label_(std::move(label)),
      total_(std::max<std::int64_t>(total, 1)),
      out_(out),
      terminal_(isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::update(std::int64_t done, double loss, std::optional<double> accuracy) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < (terminal_ ? kTerminalRefresh : kLogInterval)) return;
  last_draw_ = now;
  draw(done, loss, accuracy, false);
}

void Progress::draw(std::int64_t done, double loss, std::optional<double> accuracy, bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  char accuracy_text[32] = "";
  if (accuracy) std::snprintf(accuracy_text, sizeof(accuracy_text), "  acc %.4f", *accuracy);
  if (terminal_) {
    const int filled = static_cast<int>(fraction * kBarWidth);
    std::fprintf(out_, "\r%s [%s%s] %3d%%  loss %.4f%s  %.0f samples/s  %s %s\033[K", label_.c_str(),
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(kBarWidth - filled), '.').c_str(), static_cast<int>(fraction * 100),
                 loss, accuracy_text, rate, final_line ? "took" : "ETA",
                 format_duration(final_line ? elapsed : eta).c_str());
  } else {
    std::fprintf(out_, "%s %lld/%lld  loss %.4f%s  %.0f samples/s  %s %s\n", label_.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total_), loss, accuracy_text, rate,
                 final_line ? "took" : "ETA", format_duration(final_line ? elapsed : eta).c_str());
  }
  std::fflush(out_);
}

void Progress::finish(const std::string& summary) {
  if (terminal_) std::fprintf(out_, "\r\033[K");
  std::fprintf(out_, "%s  %s\n", label_.c_str(), summary.c_str());
  std::fflush(out_);
}

}  // namespace fashion_mnist
