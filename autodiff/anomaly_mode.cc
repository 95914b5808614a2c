#include "autodiff/anomaly_mode.h"

#include <cmath>
#include <memory>
#include <string_view>

#include "autodiff/node.h"
#include "framework/kernels/layout.h"

namespace lucid::autograd {
namespace {

thread_local bool anomaly_enabled = false;

// "nan", "inf" or null when every value is finite.
const char* non_finite_kind(const Tensor& t) {
  const Tensor dense = kernels::dense(t);
  return visit_dtype(t.dtype(), [&](auto tag) -> const char* {
    using T = decltype(tag);
    const T* data = dense.template data<T>();
    const std::int64_t n = t.numel();
    for (std::int64_t i = 0; i < n; ++i) {
      if (std::isnan(data[i])) return "nan";
      if (std::isinf(data[i])) return "inf";
    }
    return nullptr;
  });
}

// "LogBackward" → "Log": lucid's node names are the forward op's name plus "Backward".
std::string_view forward_op_name(std::string_view node_name) {
  constexpr std::string_view suffix = "Backward";
  if (node_name.size() > suffix.size() && node_name.ends_with(suffix)) node_name.remove_suffix(suffix.size());
  return node_name;
}

}  // namespace

bool is_anomaly_enabled() { return anomaly_enabled; }
void set_anomaly_enabled(bool enabled) { anomaly_enabled = enabled; }

void remember_forward_op(Node& node, std::span<const Tensor* const> inputs) {
  auto info = std::make_unique<AnomalyInfo>();
  std::size_t k = 0;
  for (const Tensor* t : inputs) {
    if (k > 0) info->input_shapes += k + 1 == inputs.size() ? " and " : ", ";
    info->input_shapes += t->defined() ? t->shape().str() : "undefined";
    ++k;
  }
  node.extra().anomaly = std::move(info);
}

void check_backward_outputs(const Node& node, std::span<const Tensor> grads) {
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    const char* kind = non_finite_kind(grads[i]);
    if (!kind) continue;
    const std::string name = node.name();
    const AnomalyInfo* info = node.extras ? node.extras->anomaly.get() : nullptr;
    std::string origin = info ? "forward op '" + std::string(forward_op_name(name)) +
                                    "' created from inputs of shape " + info->input_shapes
                                      : "its forward op ran outside detect_anomaly, so its inputs are unknown";
    throw RuntimeError("Function '" + name + "' returned " + kind + " values in its " + std::to_string(i) +
                       "th output (" + origin + "); detect_anomaly stopped the backward pass at the first node "
                       "whose output gradient is not finite");
  }
}

}  // namespace lucid::autograd
