// The main of lucid_distributed_tests, run by CTest under `mpirun -np 2`: every rank runs every
// test. An exception escaping a test run aborts all ranks (no hang); a failed assertion fails that
// rank's exit code, which mpirun reports.
#include <gtest/gtest.h>

#include "lucid.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  lucid::distributed::init();
  return lucid::distributed::run_or_abort([] { return RUN_ALL_TESTS(); });
}
