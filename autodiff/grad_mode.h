// Grad mode: whether ops record the graph. Thread-local, switched by RAII guards.
#pragma once

#include "autodiff/scoped_setting.h"

namespace lucid::autograd {

bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// Inside the scope, no op records a graph node (inference, optimizer updates).
using no_grad = ScopedSetting<is_grad_enabled, set_grad_enabled, false>;
// Inside the scope, ops record the graph again (e.g. within a no_grad region).
using enable_grad = ScopedSetting<is_grad_enabled, set_grad_enabled, true>;

}  // namespace lucid::autograd
