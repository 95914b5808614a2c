// Device: where a tensor's memory lives. lucid runs on the CPU only; the type exists so that
// constructors can take PyTorch-style `device` arguments and reject anything else clearly.
#pragma once

#include <ostream>
#include <string>

#include "framework/errors.h"

namespace lucid {

class Device {
 public:
  // The default device is the CPU.
  Device() = default;
  // Parses "cpu" (also "cpu:0"); anything else throws ValueError naming the device.
  Device(const char* name) : Device(std::string(name)) {}  // NOLINT: implicit like torch::Device
  Device(const std::string& name) {                         // NOLINT
    if (name != "cpu" && name != "cpu:0") {
      throw ValueError("device '" + name + "' is not available: lucid runs on the CPU only (device \"cpu\")");
    }
  }
  std::string str() const { return "cpu"; }
  friend bool operator==(const Device&, const Device&) { return true; }
};

inline std::ostream& operator<<(std::ostream& os, const Device& device) { return os << device.str(); }

}  // namespace lucid
