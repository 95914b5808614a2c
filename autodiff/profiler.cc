#include "autodiff/profiler.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "framework/errors.h"

namespace lucid::autograd {

using Clock = std::chrono::steady_clock;

namespace detail {

struct ProfileState {
  struct Frame {
    std::string name;
    Clock::time_point start;
    double nested_seconds = 0.0;  // the time of the spans closed inside this one
  };
  std::map<std::string, Profile::Row, std::less<>> rows;
  std::vector<Frame> open;
  Clock::time_point start = Clock::now(), end;
  bool collecting = true;
};

}  // namespace detail

namespace {
thread_local detail::ProfileState* active = nullptr;

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
}  // namespace

Profile::Profile() : state_(std::make_unique<detail::ProfileState>()) {
  if (active != nullptr) throw RuntimeError("lucid::autograd::Profile: a Profile is already collecting on this thread");
  active = state_.get();
}

Profile::~Profile() { stop(); }

void Profile::stop() {
  if (!state_->collecting) return;
  state_->collecting = false;
  state_->end = Clock::now();
  if (active == state_.get()) active = nullptr;
}

std::vector<Profile::Row> Profile::rows() const {
  std::vector<Row> out;
  for (const auto& [name, row] : state_->rows) out.push_back(row);
  std::stable_sort(out.begin(), out.end(), [](const Row& a, const Row& b) { return a.seconds > b.seconds; });
  return out;
}

double Profile::wall_seconds() const {
  return seconds_between(state_->start, state_->collecting ? Clock::now() : state_->end);
}

std::ostream& operator<<(std::ostream& out, const Profile& profile) {
  const double wall = profile.wall_seconds();
  const std::vector<Profile::Row> rows = profile.rows();
  std::size_t width = 24;
  for (const Profile::Row& row : rows) width = std::max(width, row.name.size());
  char line[512];
  auto print = [&](const std::string& name, const std::string& calls, double seconds) {
    std::snprintf(line, sizeof line, "%-*s %10s %12.1f %6.1f%%\n", static_cast<int>(width), name.c_str(), calls.c_str(),
                  seconds * 1e3, wall > 0.0 ? 100.0 * seconds / wall : 0.0);
    out << line;
  };
  std::snprintf(line, sizeof line, "%-*s %10s %12s %7s\n", static_cast<int>(width), "span (self time)", "calls", "ms",
                "share");
  out << line;
  double attributed = 0.0;
  for (const Profile::Row& row : rows) {
    print(row.name, std::to_string(row.calls), row.seconds);
    attributed += row.seconds;
  }
  print("(outside any span)", "", std::max(wall - attributed, 0.0));
  print("wall time", "", wall);
  return out;
}

bool is_profiling() { return active != nullptr; }

ProfileScope::ProfileScope(std::string_view kind, std::string_view name) {
  if (active == nullptr) return;
  std::string label;
  label.reserve(kind.size() + 1 + name.size());
  label.append(kind).append(" ").append(name);
  active->open.push_back({std::move(label), Clock::now()});
  profile_ = active;
}

ProfileScope::~ProfileScope() {
  if (profile_ == nullptr || profile_ != active) return;  // not opened, or its Profile stopped meanwhile
  detail::ProfileState::Frame frame = std::move(active->open.back());
  active->open.pop_back();
  const double elapsed = seconds_between(frame.start, Clock::now());
  Profile::Row& row = active->rows[frame.name];
  if (row.name.empty()) row.name = frame.name;
  row.calls += 1;
  row.seconds += elapsed - frame.nested_seconds;
  if (!active->open.empty()) active->open.back().nested_seconds += elapsed;
}

}  // namespace lucid::autograd
