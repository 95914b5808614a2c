// The table of one normalisation layer's kernels with one activation epilogue: GroupNormKernels
// (group_norm.h) and LayerNormKernels (layer_norm.h) are NormKernels over their argument structs.
// Each entry runs work items [begin, end) on the calling thread, on the best SIMD target.
#pragma once

#include <cstddef>

namespace lucid::kernels {

template <typename Args>
using NormRange = void (*)(const Args& args, std::size_t begin, std::size_t end);

template <template <typename> class ForwardArgs, template <typename> class BackwardArgs>
struct NormKernels {
  const char* backward_name;  // the graph node, e.g. "GroupNormBackward", "LayerNormSiLUBackward"
  std::size_t num_activation_scalars;
  NormRange<ForwardArgs<float>> forward_f32;
  NormRange<ForwardArgs<double>> forward_f64;
  NormRange<BackwardArgs<float>> backward_f32;
  NormRange<BackwardArgs<double>> backward_f64;
};

}  // namespace lucid::kernels
