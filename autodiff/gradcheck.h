// gradcheck: compares the gradients the engine computes with float64 central differences, so a
// user can test the backward of their own function. gradgradcheck does the same for the gradients
// of the gradients (create_graph).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "framework/tensor.h"

namespace lucid::autograd {

struct GradcheckOptions {
  double eps = 1e-6;   // central-difference step
  double atol = 1e-5;  // pass when |analytic − numeric| ≤ atol + rtol·|numeric| for every element
  double rtol = 1e-3;
};

struct GradcheckResult {
  bool ok = true;
  // The worst element (largest excess over the tolerance): which input, which flat element of it,
  // which flat element of the output, and the two Jacobian entries.
  std::size_t input = 0;
  std::int64_t input_element = 0;
  std::int64_t output_element = 0;
  double analytic = 0.0;
  double numeric = 0.0;
  std::string message;  // a readable summary, naming the worst element
  explicit operator bool() const { return ok; }
};

using DifferentiableFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Checks d fn(inputs) / d inputs[k] for every input that requires grad. The inputs are copied to
// float64 leaves first, so fn sees float64 tensors; the inputs themselves are not modified.
// Throws ValueError when no input requires grad, or unless eps > 0 (finite), atol >= 0 and rtol >= 0.
GradcheckResult gradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

// Checks the second derivatives: gradcheck of inputs ↦ Σ_k ⟨w_k, ∂⟨v, fn(inputs)⟩/∂inputs_k⟩, where
// the first-order gradients are computed with create_graph and v, w_k are fixed random tensors
// (a random projection of the full second-order check).
GradcheckResult gradgradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace lucid::autograd
