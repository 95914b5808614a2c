// lucid::distributed: data-parallel training across processes and machines on MPI. Built when
// CMake finds MPI (option LUCID_WITH_MPI); lucid.h includes this header then, and defines
// LUCID_HAS_MPI. docs/DISTRIBUTED.md shows how to run it.
#pragma once

#include "modules/distributed/collectives.h"
#include "modules/distributed/data_parallel.h"
#include "modules/distributed/distributed_sampler.h"
#include "modules/distributed/environment.h"
