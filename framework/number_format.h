// Numbers in messages: a value the caller passed is shown as the shortest decimal that reads back as
// exactly that double, so 3.0000001 is not "3" (ostream's default 6 significant digits) and 1e-07 is not
// "0.000000" (std::to_string's 6 fixed decimals).
#pragma once

#include <charconv>
#include <cmath>
#include <string>
#include <type_traits>

namespace lucid {

// The shortest round-trip form of v (std::to_chars): "3.0000001", "1e-07", "0.1", "-0", "inf", "-inf",
// "nan"; for a float, the shortest form that reads back as that float (1e20f is "1e+20").
template <typename T>
  requires std::is_floating_point_v<T>
std::string format_number(T v) {
  if (std::isnan(v)) return "nan";  // to_chars may write "-nan"
  char buffer[32];                  // the longest shortest form, "-2.2250738585072014e-308", has 24
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

}  // namespace lucid
