// Gradient clipping with torch.nn.utils' names and semantics (PyTorch 1.13), applied in place to the
// gradients of parameters, outside autograd, between backward() and the optimizer's step():
//
//   loss.backward();
//   double total = lucid::nn::utils::clip_grad_norm_(model.parameters(), /*max_norm=*/1.0);
//   opt.step();
//
// Parameters without a gradient are skipped, as in PyTorch.
#pragma once

#include <vector>

#include "modules/parameter.h"

namespace lucid::nn::utils {

// Scales every gradient by min(1, max_norm / (total + 1e-6)), where total is the norm of all gradients
// taken together, as if concatenated into one vector: total = (Σᵢ ‖gᵢ‖ₚᵖ)^(1/p), ‖g‖ₚ = (Σ|gⱼ|ᵖ)^(1/p), or
// the largest |gⱼ| for norm_type = +inf. Returns total (computed in float64; 0 when no parameter has a
// gradient). As in PyTorch, the scaling is applied even when the factor is 1, and a NaN or infinite
// total scales by NaN or 0 unless error_if_nonfinite, which raises RuntimeError instead (gradients
// unchanged).
// ValueError, gradients unchanged, unless max_norm >= 0 and norm_type > 0 (finite or +inf); PyTorch also
// accepts norm_type 0 and -inf and a negative max_norm (which flips the gradients).
double clip_grad_norm_(const std::vector<Parameter>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element to [−clip_value, clip_value]. ValueError unless clip_value >= 0
// (+inf allowed: no change).
void clip_grad_value_(const std::vector<Parameter>& parameters, double clip_value);

}  // namespace lucid::nn::utils
