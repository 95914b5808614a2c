// Crash safety of lucid::save (issue 20, item 3): a child process saves a large checkpoint over an
// existing one and the parent kills it with SIGKILL at many points of the save, timed from the fork
// or when the temporary file reaches a size. After every kill the path must load whole as the old
// checkpoint, or as the new one when the kill came after the rename, and a leftover temporary file
// must not pass for a checkpoint: a partial one fails validation, a complete one holds the new
// checkpoint exactly.
//
// The files live in memory (/dev/shm when present): a SIGKILL loses no byte the child handed to the
// kernel on any file system, so tmpfs tests the same property without a gigabyte of disk writes per
// run. Power loss, which the fsyncs are for, is not simulated.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/modules/file_util.h"
#include "tests/test_util.h"

namespace lucid::test {
namespace {

using CrashClock = std::chrono::steady_clock;

// The checkpoints the children write in turn, 12 and 18 MB so that a save takes measurable time:
// one tensor of each dtype save writes, different in every element and in length between versions.
nn::StateDict crash_checkpoint(std::int64_t version) {
  const std::int64_t n = (2 + version) << 20;
  const auto first = static_cast<double>(version);
  nn::StateDict dict;
  dict.insert_or_assign("encoder.weight", arange(first, first + static_cast<double>(n), 1.0, float32));
  dict.insert_or_assign("optimizer.exp_avg", arange(-first, -first - static_cast<double>(n / 4), -1.0, float64));
  dict.insert_or_assign("optimizer.step", full({1}, static_cast<double>(1000 + version), int64));
  return dict;
}

// Same names, dtypes, shapes and bytes. Every tensor here is freshly made (arange, full) or loaded, so
// contiguous from the start of its storage.
bool crash_identical(const nn::StateDict& a, const nn::StateDict& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
           const Tensor &s = x.second, &t = y.second;
           return x.first == y.first && s.dtype() == t.dtype() && s.shape() == t.shape() &&
                  std::memcmp(s.impl()->storage->data(), t.impl()->storage->data(),
                              static_cast<std::size_t>(s.numel()) * element_size(s.dtype())) == 0;
         });
}

// Which of the checkpoints the file at `path` holds whole: 0 or 1, or -1 (and a test failure) when it
// does not load or holds neither.
int held_checkpoint(const std::filesystem::path& path, const std::array<nn::StateDict, 2>& checkpoints) {
  nn::StateDict loaded;
  try {
    loaded = load_state_dict(path);
  } catch (const ValueError& e) {
    ADD_FAILURE() << e.what();
    return -1;
  }
  for (int i : {0, 1}) {
    if (crash_identical(loaded, checkpoints[static_cast<std::size_t>(i)])) return i;
  }
  ADD_FAILURE() << path << " loads, but holds neither checkpoint";
  return -1;
}

// Forks a child that saves `dict` over `path` and exits with status 0 (1 if save threw).
pid_t fork_save(const nn::StateDict& dict, const std::filesystem::path& path) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The parent may run other threads (OpenMP's): the child does only the save, which needs none of
    // them, and _exit skips the parent's exit-time work (LeakSanitizer's leak check among it).
    int status = 0;
    try {
      save(dict, path);
    } catch (...) {
      status = 1;
    }
    ::_exit(status);
  }
  return pid;
}

// Whether the child has exited, leaving it unreaped (WNOWAIT), so that its pid cannot be reused and a
// later kill() of it stays harmless.
bool crash_child_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

// Where a kill left the save, judged from the directory afterwards.
enum Landing { kBeforeTemporary, kEmptyTemporary, kMidWrite, kWrittenNotRenamed, kAfterRename, kLandings };
constexpr std::array<const char*, kLandings> kLandingNames{
    "before the temporary file existed", "temporary file created, empty", "mid-write (partial temporary file)",
    "temporary file complete, not renamed", "after the rename (or finished)"};

TEST(CheckpointCrash, KilledSavesLeaveTheOldOrTheNewCheckpointWhole) {
  TempDir dir(TempDir::in_memory_parent(), "lucid_crash_");
  const auto path = dir / "ckpt.safetensors";
  const std::array<nn::StateDict, 2> checkpoints{crash_checkpoint(0), crash_checkpoint(1)};
  save(checkpoints[0], path);
  std::array<std::uintmax_t, 2> file_sizes{std::filesystem::file_size(path), 0};
  int current = 0;  // the checkpoint `path` holds
  std::array<int, kLandings> landed{};

  // One save by a child of the checkpoint `path` does not hold; `wait(pid, fork_time)` returns when
  // the child is to be killed (it may have exited by then). Checks and tallies what the kill left.
  auto save_and_kill = [&](const std::function<void(pid_t, CrashClock::time_point)>& wait) {
    const int next = 1 - current;
    const CrashClock::time_point fork_time = CrashClock::now();
    const pid_t pid = fork_save(checkpoints[static_cast<std::size_t>(next)], path);
    ASSERT_GT(pid, 0) << "fork: " << std::strerror(errno);
    wait(pid, fork_time);
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status)) {
      EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's save threw";
    }

    // The directory holds the checkpoint and at most this child's temporary file.
    const std::string temporary_name = path.filename().string() + ".tmp." + std::to_string(pid);
    const auto temporary = dir / temporary_name;
    const bool leftover = std::filesystem::exists(temporary);
    std::vector<std::string> expected_entries{path.filename().string()};
    if (leftover) expected_entries.push_back(temporary_name);
    EXPECT_EQ(dir.entries(), expected_entries);

    const int held = held_checkpoint(path, checkpoints);
    ASSERT_TRUE(held == current || held == next);
    if (!WIFSIGNALED(status)) {
      EXPECT_EQ(held, next) << "the save finished, but the path holds the old checkpoint";
    }
    if (held == next) {
      EXPECT_FALSE(leftover) << "renamed, yet the temporary file remains";
      ++landed[kAfterRename];
    } else if (!leftover) {
      ++landed[kBeforeTemporary];
    } else {
      const std::uintmax_t size = std::filesystem::file_size(temporary);
      const bool complete = size == file_sizes[static_cast<std::size_t>(next)];
      ++landed[size == 0 ? kEmptyTemporary : complete ? kWrittenNotRenamed : kMidWrite];
      if (complete) {
        EXPECT_TRUE(crash_identical(load_state_dict(temporary), checkpoints[static_cast<std::size_t>(next)]));
      } else {
        EXPECT_THROW(load_state_dict(temporary), ValueError) << "a " << size << "-byte partial file loads";
      }
      std::filesystem::remove(temporary);  // checked; a crashed save's leftovers are the user's to remove
    }
    current = held;
  };

  // Complete saves, timed from fork to exit, to learn the second file's size and how long a save takes.
  CrashClock::duration save_time{};
  for (int i = 0; i < 3; ++i) {
    ASSERT_NO_FATAL_FAILURE(save_and_kill([&](pid_t pid, CrashClock::time_point fork_time) {
      siginfo_t info{};
      ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
      save_time = std::max(save_time, CrashClock::now() - fork_time);
    }));
    file_sizes[static_cast<std::size_t>(current)] = std::filesystem::file_size(path);
  }
  ASSERT_EQ(landed[kAfterRename], 3);
  landed[kAfterRename] = 0;

  // Kills timed from the fork, spread over 1.25 save times (the last ones let the save finish).
  constexpr int kTimed = 24;
  for (int i = 0; i < kTimed; ++i) {
    const auto delay = save_time * (5 * (2 * i + 1)) / (8 * kTimed);
    ASSERT_NO_FATAL_FAILURE(save_and_kill(
        [&](pid_t, CrashClock::time_point fork_time) { std::this_thread::sleep_until(fork_time + delay); }));
  }
  // Kills once the temporary file has reached a fraction of the new file's size.
  constexpr int kBySize = 12;
  for (int i = 1; i <= kBySize; ++i) {
    ASSERT_NO_FATAL_FAILURE(save_and_kill([&](pid_t pid, CrashClock::time_point) {
      const std::uintmax_t target = file_sizes[static_cast<std::size_t>(1 - current)] * i / (kBySize + 1);
      const std::string temporary = path.string() + ".tmp." + std::to_string(pid);
      struct stat info {};
      while (!crash_child_exited(pid) &&
             (::stat(temporary.c_str(), &info) != 0 || static_cast<std::uintmax_t>(info.st_size) < target)) {
        std::this_thread::yield();
      }
    }));
  }

  std::ostringstream report;
  report << "[ kill points ] " << kTimed + kBySize << " (" << kTimed << " timed over a " << std::fixed
         << std::setprecision(1) << std::chrono::duration<double, std::milli>(save_time).count() << " ms save, "
         << kBySize << " by size):";
  for (int i = 0; i < kLandings; ++i) report << (i ? "; " : " ") << landed[i] << " " << kLandingNames[i];
  std::cout << report.str() << "\n";
  // The size-targeted kills stop the child with a partial file unless it outruns the parent's polling
  // every time: without a mid-write kill this test would have tested little.
  EXPECT_GT(landed[kMidWrite], 0);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{path.filename().string()});
}

}  // namespace
}  // namespace lucid::test
