// Grad mode: whether ops record the graph. Thread-local, switched by RAII guards.
#pragma once

namespace lucid::autograd {

bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// Inside the scope, no op records a graph node (inference, optimizer updates).
class no_grad {
 public:
  no_grad() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~no_grad() { set_grad_enabled(previous_); }
  no_grad(const no_grad&) = delete;
  no_grad& operator=(const no_grad&) = delete;

 private:
  bool previous_;
};

// Inside the scope, ops record the graph again (e.g. within a no_grad region).
class enable_grad {
 public:
  enable_grad() : previous_(is_grad_enabled()) { set_grad_enabled(true); }
  ~enable_grad() { set_grad_enabled(previous_); }
  enable_grad(const enable_grad&) = delete;
  enable_grad& operator=(const enable_grad&) = delete;

 private:
  bool previous_;
};

}  // namespace lucid::autograd
