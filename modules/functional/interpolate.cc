#include "modules/functional/interpolate.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "autodiff/ops.h"
#include "framework/factories.h"

namespace lucid::nn::functional {
namespace {

std::string sizes_str(const std::vector<std::int64_t>& sizes) {
  std::string s = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

// The output size of each spatial dimension of x.
std::vector<std::int64_t> output_sizes(const Tensor& x, const UpsampleOptions& o) {
  const auto spatial = static_cast<std::size_t>(x.dim() - 2);
  detail::check_size_or_scale_factor("interpolate", o);
  std::vector<std::int64_t> out(spatial);
  for (std::size_t d = 0; d < spatial; ++d) {
    const std::int64_t in = x.size(static_cast<std::int64_t>(d) + 2);
    if (o.scale_factor) {
      const double factor = *o.scale_factor;
      if (!(factor > 0) || !std::isfinite(factor)) {
        throw ValueError("interpolate: scale_factor must be positive and finite, got " + std::to_string(factor));
      }
      out[d] = static_cast<std::int64_t>(std::floor(static_cast<double>(in) * factor));
    } else {
      if (o.size.size() != 1 && o.size.size() != spatial) {
        throw ValueError("interpolate: size " + sizes_str(o.size) + " must have one entry or one per spatial dimension (" +
                         std::to_string(spatial) + ") of the input " + x.shape().str());
      }
      out[d] = o.size[o.size.size() == 1 ? 0 : d];
    }
    if (out[d] <= 0) {
      throw ValueError("interpolate: the input " + x.shape().str() + " would become empty: output sizes " +
                       sizes_str(out) + " must be positive");
    }
  }
  return out;
}

// PyTorch's nearest source index of each output index, in its float32 arithmetic.
Tensor nearest_sources(std::int64_t in, std::int64_t out, const std::optional<double>& scale_factor) {
  const float scale = scale_factor ? static_cast<float>(1.0 / *scale_factor) : static_cast<float>(in) / static_cast<float>(out);
  std::vector<std::int64_t> sources(static_cast<std::size_t>(out));
  for (std::int64_t o = 0; o < out; ++o) {
    sources[static_cast<std::size_t>(o)] =
        std::min(static_cast<std::int64_t>(std::floor(static_cast<float>(o) * scale)), in - 1);
  }
  return tensor(sources);
}

}  // namespace

namespace detail {

void check_size_or_scale_factor(const char* op, const UpsampleOptions& options) {
  if (options.size.empty() == !options.scale_factor.has_value()) {
    throw ValueError(std::string(op) + ": give exactly one of size and scale_factor, got " +
                     (options.size.empty() ? "neither" : "both"));
  }
}

}  // namespace detail

Tensor interpolate(const Tensor& x, const UpsampleOptions& options) {
  if (x.dim() < 3 || x.dim() > 5) {
    throw ValueError("interpolate: expected an input of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), got " +
                     x.shape().str());
  }
  const std::vector<std::int64_t> out = output_sizes(x, options);
  Tensor y = x.clone();  // a new tensor even when no size changes, as PyTorch's
  for (std::size_t d = 0; d < out.size(); ++d) {
    const std::int64_t dim = static_cast<std::int64_t>(d) + 2;
    if (out[d] != x.size(dim)) y = index_select(y, dim, nearest_sources(x.size(dim), out[d], options.scale_factor));
  }
  return y;
}

}  // namespace lucid::nn::functional
