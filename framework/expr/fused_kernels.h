// FusedKernels: the dispatch table of one fused elementwise op, i.e. its forward kernel and, for each
// input, the kernel of the gradient flowing into that input, in float32 and float64. Target-
// independent; the kernels behind the pointers dispatch to the best SIMD target at run time.
// Tables are made with the macros of framework/expr/define_kernels.h.
#pragma once

#include <array>
#include <cstddef>

namespace lucid::expr {

inline constexpr std::size_t kMaxFusedInputs = 3;

// out[i] = f(in[0][i], ..., in[k][i]; scalars) for i < n
template <typename T>
using MapKernel = void (*)(const T* const* in, const T* scalars, T* out, std::size_t n);

struct FusedKernels {
  const char* name;           // e.g. "Sigmoid"
  const char* backward_name;  // e.g. "SigmoidBackward", the name of its graph node
  std::size_t num_inputs;
  std::size_t num_scalars;
  MapKernel<float> forward_f32;
  MapKernel<double> forward_f64;
  // backward_*[i]: g·∂f/∂xᵢ, reading the streams (x₀, ..., x_{k}, g)
  std::array<MapKernel<float>, kMaxFusedInputs> backward_f32;
  std::array<MapKernel<double>, kMaxFusedInputs> backward_f64;

  template <typename T>
  MapKernel<T> forward() const {
    if constexpr (std::is_same_v<T, float>) return forward_f32;
    else return forward_f64;
  }
  template <typename T>
  MapKernel<T> backward(std::size_t input) const {
    if constexpr (std::is_same_v<T, float>) return backward_f32[input];
    else return backward_f64[input];
  }
};

// Name of the SIMD target the kernels dispatch to on this machine, e.g. "AVX3" (AVX-512).
const char* active_simd_target();

}  // namespace lucid::expr
