// A whole run of the diffusion example, as the command line asks for it (settings.h): train (or
// resume, or only sample), with metrics.csv, steps.csv, loss.png, sample grids, checkpoints and the
// optional classification accuracy score in `out`.
#pragma once

#include "examples/diffusion/settings.h"

namespace diffusion {

// Checks the settings (ValueError), then runs; returns the process exit code.
int run(const Settings& settings);

}  // namespace diffusion
