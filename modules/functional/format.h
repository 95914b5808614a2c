// Formatting of layer parameters for error messages and reprs.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "modules/size2.h"

namespace lucid::nn::functional {

// "(3, 3)"
inline std::string pair_str(const std::array<std::int64_t, 2>& p) {
  return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ")";
}
inline std::string pair_str(const Size2& p) { return pair_str(p.values()); }

// Python's tuple repr of sizes: "(768,)", "(2, 3)", "()".
inline std::string python_tuple(const std::vector<std::int64_t>& sizes) {
  std::string out = "(";
  for (std::size_t i = 0; i < sizes.size(); ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + (sizes.size() == 1 ? ",)" : ")");
}

// v as Python's repr(float) writes it: the shortest digits that read back exactly, in positional
// notation when the decimal exponent lies in [-4, 16) ("1e-05", "0.001", "10.0", "1e+16").
inline std::string python_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, std::abs(v), std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);  // "d.ddde±xx", shortest round-trip digits
  const std::size_t e = scientific.find('e');
  std::string digits = scientific.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  const int exponent = std::atoi(scientific.c_str() + e + 1);
  std::string out = std::signbit(v) ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const std::string exp_digits = std::to_string(std::abs(exponent));
    out += digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + "e" + (exponent < 0 ? "-" : "+") +
           (exp_digits.size() < 2 ? "0" : "") + exp_digits;
  } else if (exponent < 0) {
    out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  } else {
    const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= integer_digits) {
      out += digits + std::string(integer_digits - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
    }
  }
  return out;
}

}  // namespace lucid::nn::functional
