// The MPI environment of a distributed run: initialisation, this process's rank, the world size,
// the deadline of collective operations, and aborting every rank with a message.
//
//   lucid::distributed::init();                        // MPI_Init_thread once; MPI_Finalize at exit
//   if (lucid::distributed::rank() == 0) std::cout << lucid::distributed::world_size() << " ranks\n";
//
// Only the thread that called init() may use the collectives (MPI_THREAD_FUNNELED); lucid's
// OpenMP threads never call MPI.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace lucid::distributed {

// True when a launcher (mpirun / mpiexec / srun) started this process: Open MPI's, MPICH's or
// PMIx's rank variables are set. A program started directly can stay single-process without MPI.
bool launched_by_mpi();

// Initialises MPI once per process (later calls do nothing) and registers MPI_Finalize for normal
// exit; a program that initialised MPI itself keeps ownership of finalising it. RuntimeError when
// MPI grants less than MPI_THREAD_FUNNELED.
void init();
bool is_initialized();

// This process's rank in MPI_COMM_WORLD (0 ... world_size() − 1) and the number of ranks.
// RuntimeError before init().
int rank();
int world_size();

// How long a collective may wait for the other ranks before the run is aborted (default 300 s,
// or the LUCID_COLLECTIVE_TIMEOUT environment variable in seconds, read by init()).
std::chrono::duration<double> collective_timeout();
// ValueError unless `timeout` is positive.
void set_collective_timeout(std::chrono::duration<double> timeout);

// Prints "lucid.distributed: rank R: <message>" on stderr and ends every rank with MPI_Abort
// (exit code `code`), so no rank is left waiting for a failed one.
[[noreturn]] void abort(const std::string& message, int code = 1);

// Runs `body` and returns its result; an exception escaping it aborts every rank with its message
// (see abort()) instead of leaving the other ranks blocked in their next collective.
int run_or_abort(const std::function<int()>& body);

}  // namespace lucid::distributed
