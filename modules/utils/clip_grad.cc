#include "modules/utils/clip_grad.h"

#include <cmath>

#include "autodiff/grad_mode.h"
#include "framework/number_format.h"

namespace lucid::nn::utils {
namespace {

// ‖g‖ₚ^p = Σ|gⱼ|ᵖ for finite p, max|gⱼ| for p = +inf (NaN when an element is NaN), in float64.
double grad_norm_term(const Tensor& grad, double p) {
  return visit_dtype(grad.dtype(), [&](auto tag) {
    const auto* g = grad.data<decltype(tag)>();
    double acc = 0.0;
    for (std::int64_t j = 0; j < grad.numel(); ++j) {
      const double a = std::abs(static_cast<double>(g[j]));
      if (std::isinf(p)) {
        if (std::isnan(a) || a > acc) acc = a;  // a NaN, once seen, stays: torch.max propagates it
      } else {
        acc += p == 2.0 ? a * a : std::pow(a, p);
      }
    }
    return acc;
  });
}

}  // namespace

double clip_grad_norm_(const std::vector<Parameter>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  if (!(max_norm >= 0.0)) {
    throw ValueError("clip_grad_norm_: max_norm (" + format_number(max_norm) + ") must be >= 0");
  }
  if (!(norm_type > 0.0)) {
    throw ValueError("clip_grad_norm_: norm_type (" + format_number(norm_type) + ") must be > 0 or inf");
  }
  const bool inf_norm = std::isinf(norm_type);
  double total = 0.0;  // Σᵢ ‖gᵢ‖ₚᵖ, then its p-th root; or the largest |gⱼ|
  bool any_grad = false;
  for (const Parameter& p : parameters) {
    const Tensor grad = p.grad();
    if (!grad.defined()) continue;
    any_grad = true;
    const double term = grad_norm_term(grad, norm_type);
    if (inf_norm) {
      if (std::isnan(term) || term > total) total = term;
    } else {
      total += term;
    }
  }
  if (!any_grad) return 0.0;
  if (!inf_norm) total = std::pow(total, 1.0 / norm_type);
  if (error_if_nonfinite && !std::isfinite(total)) {
    throw RuntimeError("The total norm of order " + format_number(norm_type) +
                       " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this "
                       "error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`");
  }
  const double ratio = max_norm / (total + 1e-6);
  const double scale = ratio > 1.0 ? 1.0 : ratio;  // a NaN ratio stays NaN, as torch.clamp(max=1) keeps it
  autograd::no_grad guard;
  for (const Parameter& p : parameters) {
    Tensor grad = p.grad();
    if (grad.defined()) grad.mul_(scale);
  }
  return total;
}

void clip_grad_value_(const std::vector<Parameter>& parameters, double clip_value) {
  if (!(clip_value >= 0.0)) {
    throw ValueError("clip_grad_value_: clip_value (" + format_number(clip_value) + ") must be >= 0");
  }
  autograd::no_grad guard;
  for (const Parameter& p : parameters) {
    Tensor grad = p.grad();
    if (grad.defined()) grad.clamp_(-clip_value, clip_value);
  }
}

}  // namespace lucid::nn::utils
