// Formatting of layer parameters for error messages and reprs.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace lucid::nn::functional {

// "(3, 3)"
inline std::string pair_str(const std::array<std::int64_t, 2>& p) {
  return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ")";
}

}  // namespace lucid::nn::functional
