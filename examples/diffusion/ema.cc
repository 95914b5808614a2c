// The EMA of the weights (ema.h).
#include "examples/diffusion/ema.h"

#include <algorithm>
#include <string>

#include "framework/number_format.h"
#include <vector>

namespace diffusion {

namespace {

// Pairs of (average, model) parameters, checked to have the same names and shapes.
std::vector<std::pair<lucid::Tensor, lucid::Tensor>> matched_parameters(const lucid::nn::Module& average,
                                                                        const lucid::nn::Module& model) {
  const auto a = average.named_parameters(), m = model.named_parameters();
  if (a.size() != m.size()) {
    throw lucid::ValueError("Ema: the average has " + std::to_string(a.size()) + " parameters, the model " +
                            std::to_string(m.size()));
  }
  std::vector<std::pair<lucid::Tensor, lucid::Tensor>> pairs;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != m[i].first || a[i].second.shape() != m[i].second.shape() ||
        a[i].second.dtype() != lucid::float32 || m[i].second.dtype() != lucid::float32) {
      throw lucid::ValueError("Ema: parameter " + std::to_string(i) + " is " + a[i].first + " " + a[i].second.shape().str() +
                              " in the average but " + m[i].first + " " + m[i].second.shape().str() +
                              " in the model (both float32 expected)");
    }
    pairs.emplace_back(a[i].second, m[i].second);
  }
  return pairs;
}

}  // namespace

Ema::Ema(lucid::nn::Module& average, double decay) : average_(average), decay_(decay) {
  if (!(decay >= 0.0 && decay < 1.0)) throw lucid::ValueError("Ema: decay (" + lucid::format_number(decay) + ") must be in [0, 1)");
}

double Ema::next_decay() const {
  const double n = static_cast<double>(updates_);
  return std::min(decay_, (1.0 + n) / (10.0 + n));
}

void Ema::update(const lucid::nn::Module& model) {
  const float d = static_cast<float>(next_decay());
  for (auto& [avg, param] : matched_parameters(average_, model)) {
    float* a = avg.data<float>();
    const float* p = param.data<float>();
    for (std::int64_t i = 0; i < avg.numel(); ++i) a[i] = d * a[i] + (1.0F - d) * p[i];
  }
  ++updates_;
}

void Ema::copy_from(const lucid::nn::Module& model) {
  for (auto& [avg, param] : matched_parameters(average_, model)) {
    std::copy_n(param.data<float>(), avg.numel(), avg.data<float>());
  }
}

}  // namespace diffusion
