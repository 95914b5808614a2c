// Seeded mutation fuzzing under GoogleTest. fuzz::run feeds a reader a fixed number of inputs, each a
// corpus file mutated with the iteration's own generator (seeded from the run's seed and the iteration
// number, so any iteration replays alone) and written to a scratch file. Every input must load or
// throw lucid::ValueError, within kInputSeconds, with no single allocation above the target's limit
// (requests above it are refused by the probe of allocation_probe.h and reported).
//
// Environment: LUCID_FUZZ_ITERATIONS (count; the default depends on the build, see Iterations),
// LUCID_FUZZ_SEED (default kDefaultSeed), LUCID_FUZZ_START (first iteration: LUCID_FUZZ_START=i
// LUCID_FUZZ_ITERATIONS=1 replays iteration i), LUCID_FUZZ_ARTIFACT_DIR (where failing inputs are
// saved; default the system's temporary directory).
//
// A failure (another exception, a property the target's check finds broken, an allocation over the
// limit) saves the input as <artifact dir>/fuzz-<target>-seed<S>-iteration<I>.bin and prints its
// recipe and how to replay it. A crash or a hang (SIGALRM) prints the iteration and the scratch file
// holding its input, which stays on disk.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "lucid.h"
#include "tests/modules/file_util.h"
#include "tests/test_util.h"
#include "tests/reliability/allocation_probe.h"
#include "tests/reliability/mutate.h"

// Present when a sanitizer runtime is linked in (weak: null otherwise); its callback runs before a
// sanitizer ends the process.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace lucid::test::fuzz {

inline constexpr std::uint64_t kDefaultSeed = 20240531;
inline constexpr unsigned kInputSeconds = 10;   // per input; one read takes microseconds
inline constexpr int kMaxReportedFailures = 3;  // the run stops after this many

// A generated input: its bytes and how they were made (corpus file and mutations), for reports.
struct Input {
  Bytes bytes;
  std::string recipe;
};

// What a target's check found: the ValueError message when the input was rejected (empty when it
// loaded), and a broken property (empty when none), e.g. "load_metadata accepts what load_state_dict rejects".
struct Outcome {
  std::string rejection;
  std::string violation;
};

// Default iteration counts: optimised builds, and sanitizer builds (several times slower per input).
struct Iterations {
  std::int64_t optimised;
  std::int64_t sanitized;
};

// The message of the ValueError fn throws, or empty when it returns; other exceptions propagate.
template <typename Fn>
std::string rejection(Fn&& fn) {
  try {
    fn();
  } catch (const ValueError& e) {
    return e.what();
  }
  return {};
}

// The corpus directory of a reader: tests/reliability/corpus/<name>.
inline std::filesystem::path corpus_dir(const std::string& name) {
  return std::filesystem::path(LUCID_GOLDEN_DIR).parent_path() / "reliability" / "corpus" / name;
}

// The files of a corpus directory whose names end in `suffix`, sorted by name, with their names.
inline std::vector<std::pair<std::string, Bytes>> corpus_files(const std::string& name, const std::string& suffix) {
  std::vector<std::pair<std::string, Bytes>> out;
  for (const auto& entry : std::filesystem::directory_iterator(corpus_dir(name))) {
    const std::string file = entry.path().filename().string();
    if (file.size() >= suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.emplace_back(file, read_bytes(entry.path()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace detail {

inline std::uint64_t env_u64(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (*end != '\0' || errno != 0) throw std::runtime_error(std::string(name) + "=" + text + " is not a count");
  return value;
}

// The iteration's generator, from the run's seed and the iteration number only.
inline Rng iteration_rng(std::uint64_t seed, std::uint64_t iteration) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(iteration), static_cast<std::uint32_t>(iteration >> 32)};
  return Rng(seq);
}

// A rejection message without the path and with numbers and quoted names blanked: one line of the
// summary's histogram, showing which checks the inputs reached.
inline std::string category(const std::string& message, const std::string& path) {
  std::string what = message;
  if (const auto at = message.find(path + "': "); at != std::string::npos) what = message.substr(at + path.size() + 3);
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < what.size(); ++i) {
    const char c = what[i];
    if (c == '\'' && (quoted || i == 0 || what[i - 1] == ' ')) {  // not the apostrophe of "'name''s shape"
      if (!quoted) out += "'…'";
      quoted = !quoted;
    } else if (quoted) {
      continue;
    } else if (c >= '0' && c <= '9') {
      if (out.empty() || out.back() != '#') out += '#';
    } else {
      out += c;
    }
    if (out.size() >= 60) break;
  }
  return out;
}

// The note printed when the process dies inside a read (signal or sanitizer report): which iteration,
// and where its input is. Written with write(2) only, so it is safe in a signal handler.
inline char crash_note[2048];

inline void print_crash_note() {
  const ssize_t ignored = ::write(STDERR_FILENO, crash_note, std::strlen(crash_note));
  (void)ignored;
}

inline void on_fatal_signal(int signal_number) {
  print_crash_note();
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

// Installs the crash-note handlers for its scope: SIGALRM (a hang) and SIGABRT always; SIGSEGV, SIGBUS,
// SIGFPE and SIGILL only without a sanitizer, whose own report (followed by the note) is better.
class CrashNoteScope {
 public:
  CrashNoteScope() {
    const bool sanitized = __sanitizer_set_death_callback != nullptr;
    if (sanitized) __sanitizer_set_death_callback(print_crash_note);
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      if (sanitized && kSignals[i] != SIGALRM && kSignals[i] != SIGABRT) continue;
      struct sigaction action {};
      action.sa_handler = on_fatal_signal;
      sigemptyset(&action.sa_mask);
      installed_[i] = ::sigaction(kSignals[i], &action, &previous_[i]) == 0;
    }
  }
  CrashNoteScope(const CrashNoteScope&) = delete;
  CrashNoteScope& operator=(const CrashNoteScope&) = delete;
  ~CrashNoteScope() {
    ::alarm(0);
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      if (installed_[i]) ::sigaction(kSignals[i], &previous_[i], nullptr);
    }
    if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(nullptr);
  }

 private:
  static constexpr std::array<int, 6> kSignals{SIGALRM, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
  std::array<struct sigaction, kSignals.size()> previous_{};
  std::array<bool, kSignals.size()> installed_{};
};

}  // namespace detail

// Runs the fuzz target `name`: generate(rng) makes an Input, check(path, input) reads the file at
// path (holding input.bytes) through the reader's entry points and returns the Outcome;
// allocation_limit(input) is the largest single allocation the reader may make for it.
template <typename Generate, typename Check, typename Limit>
void run(const std::string& name, Iterations defaults, Generate&& generate, Check&& check, Limit&& allocation_limit) {
#if defined(__SANITIZE_ADDRESS__)
  const std::int64_t default_iterations = defaults.sanitized;
#else
  const std::int64_t default_iterations = defaults.optimised;
#endif
  const std::uint64_t seed = detail::env_u64("LUCID_FUZZ_SEED", kDefaultSeed);
  const std::uint64_t first = detail::env_u64("LUCID_FUZZ_START", 0);
  const std::uint64_t iterations =
      detail::env_u64("LUCID_FUZZ_ITERATIONS", static_cast<std::uint64_t>(default_iterations));
  const char* artifact_env = std::getenv("LUCID_FUZZ_ARTIFACT_DIR");
  const std::filesystem::path artifact_dir =
      artifact_env && *artifact_env ? std::filesystem::path(artifact_env) : std::filesystem::temp_directory_path();
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string filter = std::string(test->test_suite_name()) + "." + test->name();

  const TempDir scratch(TempDir::in_memory_parent(), "lucid_fuzz_");  // inputs are rewritten per iteration
  const std::filesystem::path path = scratch.path() / "input.bin";
  detail::CrashNoteScope crash_note_scope;
  std::int64_t loaded = 0, rejected = 0;
  std::map<std::string, std::int64_t> rejections;
  int failures = 0;
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t i = first;
  for (; i < first + iterations && failures < kMaxReportedFailures; ++i) {
    Rng rng = detail::iteration_rng(seed, i);
    const Input input = generate(rng);
    write_bytes(path, input.bytes);
    std::snprintf(detail::crash_note, sizeof detail::crash_note,
                  "\nfuzz %s: iteration %llu (LUCID_FUZZ_SEED=%llu) crashed or hung; its input is %s\n  recipe: %s\n",
                  name.c_str(), static_cast<unsigned long long>(i), static_cast<unsigned long long>(seed),
                  path.c_str(), input.recipe.c_str());
    std::string failure;
    {
      const std::size_t limit_bytes = allocation_limit(input);
      AllocationLimit limit(limit_bytes);
      ::alarm(kInputSeconds);
      try {
        const Outcome outcome = check(path, input);
        failure = outcome.violation;
        if (outcome.rejection.empty()) {
          ++loaded;
        } else {
          ++rejected;
          ++rejections[detail::category(outcome.rejection, path.string())];
        }
      } catch (const std::exception& e) {
        failure = "threw " + std::string(typeid(e).name()) + " (not lucid::ValueError): " + e.what();
      }
      ::alarm(0);
      if (limit.exceeded()) {
        failure += (failure.empty() ? "" : "; ") + std::string("allocated ") + std::to_string(limit.largest()) +
                   " bytes at once, above the limit of " + std::to_string(limit_bytes) + " for this " +
                   std::to_string(input.bytes.size()) + "-byte input";
      }
    }
    if (failure.empty()) continue;
    ++failures;
    const std::filesystem::path artifact =
        artifact_dir / ("fuzz-" + name + "-seed" + std::to_string(seed) + "-iteration" + std::to_string(i) + ".bin");
    write_bytes(artifact, input.bytes);
    ADD_FAILURE() << "fuzz " << name << ", iteration " << i << " (seed " << seed << "): " << failure
                  << "\n  input (" << input.bytes.size() << " bytes): " << input.recipe << "\n  saved to "
                  << artifact.string() << "\n  replay: LUCID_FUZZ_SEED=" << seed << " LUCID_FUZZ_START=" << i
                  << " LUCID_FUZZ_ITERATIONS=1 <test binary> --gtest_filter=" << filter;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::uint64_t done = i - first;
  std::printf("[fuzz] %s: %llu iterations (seed %llu, from %llu) in %.1f s: %lld loaded, %lld rejected with "
              "ValueError, %d failed\n",
              name.c_str(), static_cast<unsigned long long>(done), static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(first), seconds, static_cast<long long>(loaded),
              static_cast<long long>(rejected), failures);
  std::vector<std::pair<std::int64_t, std::string>> by_count;
  for (const auto& [what, count] : rejections) by_count.emplace_back(count, what);
  std::sort(by_count.rbegin(), by_count.rend());
  for (std::size_t k = 0; k < by_count.size() && k < 15; ++k) {
    std::printf("[fuzz]   %8lld  %s\n", static_cast<long long>(by_count[k].first), by_count[k].second.c_str());
  }
  std::fflush(stdout);
  ::testing::Test::RecordProperty("iterations", std::to_string(done));
  ::testing::Test::RecordProperty("seconds", std::to_string(seconds));
}

}  // namespace lucid::test::fuzz
