// A 2-rank program that fails on purpose, for the CTest checks that a failing rank ends the whole
// run quickly with its message instead of leaving the others blocked:
//   failure_probe throw    rank 1 throws between two barriers; run_or_abort aborts every rank
//   failure_probe timeout  rank 1 never joins the barrier; rank 0's collective timeout (1 s) aborts
//   failure_probe kill     rank 1 dies of SIGKILL between two barriers (no handler, no message of its
//                          own): mpirun must notice and end rank 0
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "lucid.h"

int main(int argc, char** argv) {
  namespace dist = lucid::distributed;
  const std::string mode = argc > 1 ? argv[1] : "";
  dist::init();
  return dist::run_or_abort([&] {
    dist::barrier();
    if (mode == "throw" && dist::rank() == 1) throw lucid::RuntimeError("deliberate failure on rank 1");
    if (mode == "kill" && dist::rank() == 1) std::raise(SIGKILL);
    if (mode == "timeout") {
      dist::set_collective_timeout(std::chrono::seconds(1));
      if (dist::rank() == 1) std::this_thread::sleep_for(std::chrono::seconds(60));
    }
    dist::barrier();
    std::puts("probe: no failure");
    return 0;
  });
}
