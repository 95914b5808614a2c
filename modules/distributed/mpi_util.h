// Internal to modules/distributed: the pieces of the .cc files that need <mpi.h>. Public headers
// stay free of MPI types, so including lucid.h does not pull in <mpi.h>.
#pragma once

#include <mpi.h>

#include <string>

#include "framework/dtype.h"

namespace lucid::distributed::detail {

// MPI_FLOAT or MPI_DOUBLE.
MPI_Datatype mpi_datatype(DType dtype);

// Waits for a nonblocking operation by polling MPI_Test (which also drives MPI's progress), first
// spinning, then sleeping up to 1 ms between polls so a waiting rank leaves the CPU to the others.
// Past collective_timeout() it aborts every rank with a message naming `what`.
void wait(MPI_Request& request, const std::string& what);

// Throws ValueError unless 0 <= root < world_size(); `what` names the operation.
void check_root(int root, const char* what);

}  // namespace lucid::distributed::detail
