#include "modules/upsample.h"

#include "modules/functional/format.h"

namespace lucid::nn {

Upsample::Upsample(const UpsampleOptions& opts) : options(opts) {
  functional::detail::check_size_or_scale_factor("Upsample", opts);
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
