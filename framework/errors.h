// Exceptions thrown at lucid's public boundary.
#pragma once

#include <stdexcept>
#include <string>

namespace lucid {

// Bad argument or shape given by the caller; the message names the values.
class ValueError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A valid call made in a state that forbids it (e.g. backward through a freed graph).
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lucid
