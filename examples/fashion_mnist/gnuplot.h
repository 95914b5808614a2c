// Running gnuplot (Debian's gnuplot-nox) on a script for the example's pictures. Every picture is
// optional: without gnuplot the callers skip it and training goes on.
#pragma once

#include <string>

namespace fashion_mnist {

// What to tell a user whose PATH has no gnuplot.
inline constexpr const char* kGnuplotMissing = "gnuplot not found (install gnuplot-nox)";

// Whether a `gnuplot` program is on the PATH.
bool gnuplot_available();

// Runs `script` (gnuplot commands) to draw `png_path`. Returns false, with the reason in `error`
// (kGnuplotMissing, or gnuplot's exit status and output), when gnuplot is missing or fails.
bool run_gnuplot(const std::string& script, const std::string& png_path, std::string& error);

// `text` as a gnuplot string literal in double quotes (backslashes and quotes escaped).
std::string gnuplot_quote(const std::string& text);

}  // namespace fashion_mnist
