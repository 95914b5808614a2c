#include "modules/upsample.h"

#include "modules/functional/format.h"

namespace lucid::nn {

Upsample::Upsample(const UpsampleOptions& opts) : options(opts) {
  if (opts.size.empty() == !opts.scale_factor.has_value()) {
    throw ValueError(std::string("Upsample: give exactly one of size and scale_factor, got ") +
                     (opts.size.empty() ? "neither" : "both"));
  }
}

Tensor Upsample::forward(const Tensor& input) { return functional::interpolate(input, options); }

std::string Upsample::extra_repr() const {
  std::string s;
  if (options.scale_factor) {
    s = "scale_factor=" + functional::python_float(*options.scale_factor);
  } else if (options.size.size() == 1) {
    s = "size=" + std::to_string(options.size[0]);
  } else {
    s = "size=" + functional::python_tuple(options.size);
  }
  return s + ", mode='nearest'";
}

}  // namespace lucid::nn
