#include "autodiff/inference_mode.h"

#include "autodiff/grad_mode.h"

namespace lucid::autograd {
namespace {
thread_local bool inference_enabled = false;
}

bool is_inference_mode_enabled() { return inference_enabled; }

inference_mode::inference_mode(bool enabled)
    : previous_grad_enabled_(is_grad_enabled()), previous_inference_(inference_enabled) {
  inference_enabled = enabled;
  if (enabled) set_grad_enabled(false);
}

inference_mode::~inference_mode() {
  inference_enabled = previous_inference_;
  set_grad_enabled(previous_grad_enabled_);
}

}  // namespace lucid::autograd
