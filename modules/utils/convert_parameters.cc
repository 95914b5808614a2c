#include "modules/utils/convert_parameters.h"

#include <algorithm>

#include "autodiff/grad_mode.h"

namespace lucid::nn::utils {
namespace {

// Copies n elements of src (contiguous, dtype as dst) to dst (contiguous) starting at element dst_start
// of dst and src_start of src.
void copy_flat_elements(const Tensor& src, std::int64_t src_start, const Tensor& dst, std::int64_t dst_start,
                   std::int64_t n) {
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::copy_n(src.data<T>() + src_start, n, dst.data<T>() + dst_start);
  });
}

}  // namespace

Tensor parameters_to_vector(const std::vector<Parameter>& parameters) {
  if (parameters.empty()) throw ValueError("parameters_to_vector: got an empty parameter list");
  std::int64_t total = 0;
  DType dtype = float32;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].defined()) {
      throw ValueError("parameters_to_vector: parameter " + std::to_string(i) + " is undefined");
    }
    total += parameters[i].numel();
    if (parameters[i].dtype() == float64) dtype = float64;
  }
  autograd::no_grad guard;
  Tensor out = Tensor::empty({total}, dtype);
  std::int64_t start = 0;
  for (const Parameter& p : parameters) {
    copy_flat_elements(p.to(dtype), 0, out, start, p.numel());  // out[start, start + n) ← p, flattened
    start += p.numel();
  }
  return out;
}

void vector_to_parameters(const Tensor& vec, const std::vector<Parameter>& parameters) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].defined()) {
      throw ValueError("vector_to_parameters: parameter " + std::to_string(i) + " is undefined");
    }
    total += parameters[i].numel();
  }
  if (!vec.defined() || vec.dim() != 1 || vec.numel() != total) {
    throw ValueError("vector_to_parameters: expected a 1-D tensor of " + std::to_string(total) +
                     " elements (the parameters' total), got " +
                     (vec.defined() ? "shape " + vec.shape().str() : std::string("an undefined tensor")));
  }
  autograd::no_grad guard;
  std::int64_t start = 0;
  for (const Parameter& p : parameters) {
    Tensor chunk = Tensor::empty(p.shape(), vec.dtype());  // vec[start, start + n), shaped like p
    copy_flat_elements(vec, start, chunk, 0, p.numel());
    Tensor(p).copy_(chunk);
    start += p.numel();
  }
}

}  // namespace lucid::nn::utils
