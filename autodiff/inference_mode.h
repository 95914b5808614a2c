// inference_mode: PyTorch's torch.inference_mode guard, in lucid's form. Inside the scope no op records
// a graph node (as under no_grad) and is_inference_mode_enabled() is true; the previous grad mode and
// inference flag come back when the guard ends.
//
//   { lucid::autograd::inference_mode guard; auto y = model(x); }
//
// How it differs from PyTorch: lucid has no "inference tensors". A tensor created inside the scope is
// an ordinary tensor: it may be used in autograd afterwards (as a constant, like any tensor that does
// not require grad), it may be written in place outside the scope, and in-place writes inside the scope
// still bump version counters. PyTorch's extra speed from skipping that bookkeeping is not sought here;
// the guard is no_grad plus the queryable flag. inference_mode(false) leaves grad mode as it is and
// clears the flag for its scope, as PyTorch's does.
#pragma once

namespace lucid::autograd {

// Whether an inference_mode guard (with enabled = true) is active on this thread.
bool is_inference_mode_enabled();

class inference_mode {
 public:
  explicit inference_mode(bool enabled = true);
  ~inference_mode();
  inference_mode(const inference_mode&) = delete;
  inference_mode& operator=(const inference_mode&) = delete;

 private:
  bool previous_grad_enabled_;
  bool previous_inference_;
};

}  // namespace lucid::autograd
