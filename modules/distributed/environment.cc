#include "modules/distributed/environment.h"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "framework/errors.h"
#include "framework/number_format.h"

namespace lucid::distributed {
namespace {

std::chrono::duration<double> timeout{300.0};

// MPI_Finalize at normal exit, registered by init() when lucid initialised MPI.
void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// The timeout from LUCID_COLLECTIVE_TIMEOUT (seconds), when set to a positive number.
void read_timeout_from_environment() {
  const char* text = std::getenv("LUCID_COLLECTIVE_TIMEOUT");
  if (!text || !*text) return;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (*end != '\0' || !(seconds > 0.0)) {
    throw ValueError(std::string("LUCID_COLLECTIVE_TIMEOUT must be a positive number of seconds, got '") + text + "'");
  }
  timeout = std::chrono::duration<double>(seconds);
}

void check_initialized(const char* what) {
  if (!is_initialized()) throw RuntimeError(std::string(what) + ": call lucid::distributed::init() first");
}

}  // namespace

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

void init() {
  if (is_initialized()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  std::atexit(finalize_at_exit);
  if (provided < MPI_THREAD_FUNNELED) {
    throw RuntimeError("MPI provides thread level " + std::to_string(provided) +
                       ", lucid needs at least MPI_THREAD_FUNNELED (" + std::to_string(MPI_THREAD_FUNNELED) + ")");
  }
  read_timeout_from_environment();
}

bool is_initialized() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

int rank() {
  check_initialized("rank()");
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int world_size() {
  check_initialized("world_size()");
  int n = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

std::chrono::duration<double> collective_timeout() { return timeout; }

void set_collective_timeout(std::chrono::duration<double> t) {
  if (!(t.count() > 0.0)) {
    throw ValueError("set_collective_timeout: the timeout must be positive, got " + format_number(t.count()) + " s");
  }
  timeout = t;
}

void abort(const std::string& message, int code) {
  const std::string r = is_initialized() ? std::to_string(rank()) : std::string("?");
  std::fprintf(stderr, "lucid.distributed: rank %s: %s\n", r.c_str(), message.c_str());
  std::fflush(stderr);
  if (is_initialized()) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

int run_or_abort(const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    abort(std::string("error: ") + e.what());
  } catch (...) {
    abort("error: unknown exception");
  }
}

}  // namespace lucid::distributed
