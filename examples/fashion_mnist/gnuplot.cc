#include "examples/fashion_mnist/gnuplot.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace fashion_mnist {

bool gnuplot_available() { return std::system("command -v gnuplot > /dev/null 2>&1") == 0; }

bool run_gnuplot(const std::string& script, const std::string& png_path, std::string& error) {
  if (!gnuplot_available()) {
    error = std::string(kGnuplotMissing) + "; skipped " + png_path;
    return false;
  }
  const std::string script_path = png_path + ".gp";
  {
    std::ofstream out(script_path);
    out << "set encoding utf8\nset output " << gnuplot_quote(png_path) << "\n" << script << "unset output\n";
    if (!out) {
      error = "cannot write " + script_path;
      return false;
    }
  }
  std::string output;
  int status = -1;
  if (std::FILE* pipe = popen(("gnuplot '" + script_path + "' 2>&1").c_str(), "r")) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    status = pclose(pipe);
  }
  std::remove(script_path.c_str());
  if (status != 0) {
    error = "gnuplot failed drawing " + png_path + " (status " + std::to_string(status) + "): " + output;
    return false;
  }
  return true;
}

std::string gnuplot_quote(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '\n') {
      quoted += "\\n";
      continue;
    }
    if (c == '\\' || c == '"') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace fashion_mnist
