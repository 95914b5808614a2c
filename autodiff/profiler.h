// A per-op wall-clock profile of the calling thread, for finding where a training step's time goes:
//
//   lucid::autograd::Profile profile;      // collects until it is destroyed
//   ... forward, backward, optimizer step ...
//   std::cout << profile;                  // rows by self time: name, calls, ms, share of the wall time
//
// Rows: every module call ("forward Conv2d"; a Sequential's fused norm → activation pair as one row,
// "forward GroupNorm+SiLU"), every node the autograd engine runs ("backward GroupNormSiLUBackward"), and
// any span named with a ProfileScope (the example's "optimizer step"). Times are self times: a span's
// nested spans are subtracted from it (a Sequential's row holds only its own glue), so the rows add up
// to at most the wall time; the rest is printed as "(outside any span)". Kernels running on OpenMP
// threads count in the span that launched them. One Profile per thread at a time; without one a
// ProfileScope costs one thread-local read.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace lucid::autograd {

namespace detail {
struct ProfileState;  // profiler.cc
}  // namespace detail

class Profile {
 public:
  struct Row {
    std::string name;
    std::int64_t calls = 0;
    double seconds = 0.0;  // self time
  };

  // Starts collecting on the calling thread; RuntimeError if a Profile is already active on it.
  Profile();
  ~Profile();
  Profile(const Profile&) = delete;
  Profile& operator=(const Profile&) = delete;

  // Stops collecting (the destructor does it otherwise); rows and wall time stay readable.
  void stop();
  // The rows, largest self time first.
  std::vector<Row> rows() const;
  // Wall time from construction to stop() (or to now while collecting).
  double wall_seconds() const;

 private:
  std::unique_ptr<detail::ProfileState> state_;
};

// The table: one line per row (name, calls, milliseconds, share of the wall time), then the time outside
// every span and the wall time.
std::ostream& operator<<(std::ostream& out, const Profile& profile);

// Whether a Profile is collecting on the calling thread.
bool is_profiling();

// Times the span from construction to destruction as row "<kind> <name>" of the calling thread's
// Profile; nothing when none is active.
class ProfileScope {
 public:
  ProfileScope(std::string_view kind, std::string_view name);
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  const void* profile_ = nullptr;  // the Profile's state the span was opened in, or null
};

}  // namespace lucid::autograd
