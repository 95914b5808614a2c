// ScopedSetting: an RAII guard that sets a thread-local autograd flag for its scope and restores the
// previous value when it ends (no_grad, enable_grad, detect_anomaly are instances).
#pragma once

namespace lucid::autograd {

template <bool (*Get)(), void (*Set)(bool), bool Value>
class ScopedSetting {
 public:
  ScopedSetting() : previous_(Get()) { Set(Value); }
  ~ScopedSetting() { Set(previous_); }
  ScopedSetting(const ScopedSetting&) = delete;
  ScopedSetting& operator=(const ScopedSetting&) = delete;

 private:
  bool previous_;
};

}  // namespace lucid::autograd
