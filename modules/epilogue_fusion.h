// Fusion of a normalisation layer with the activation module after it, as Sequential runs them:
// GroupNorm, LayerNorm, RMSNorm, BatchNorm1d/2d or InstanceNorm1d/2d/3d (without an activation of its
// own) followed by ReLU, SiLU, GELU (approximate "none"), Sigmoid or Tanh becomes one call of the norm's kernels with that activation as their epilogue
// (modules/fused_activation.h). The modules, their parameters, state_dict keys and printed tree stay
// as they are; the values agree with the separate calls to float rounding.
//
// A pair is not fused when the intermediate could be observed or the modules are not exactly lucid's
// own: either module has hooks, a module is a subclass (its forward may differ), or GELU uses the tanh
// approximation. Sequential::fuse_activations = false turns fusion off.
#pragma once

#include <optional>

#include "framework/tensor.h"
#include "modules/module.h"

namespace lucid::nn {

// Whether the pair's types allow fusion (first is exactly one of those norms, second exactly one of the
// activation modules): what Sequential checks once, when a module is appended.
bool fusable_types(const Module& first, const Module& second);

// second(first(input)) as one fused call, or nullopt when the pair does not fuse (as of now: hooks,
// options).
std::optional<Tensor> run_fused_pair(Module& first, Module& second, const Tensor& input);

// A GroupNorm and its activation (a fusable pair) followed by MaxPool2d(2) (kernel 2, stride 2, no
// padding) also run as one call, functional::detail::group_norm_max_pool2d: act(z) is pooled while in
// cache instead of being written out and read back (the same values bit for bit). Not fused under the
// pair's conditions, when the pool has hooks, or for an input the pool would reject (not 4-D, fewer
// than 2 rows or columns): the modules then run as usual and raise their own errors.
bool pool_fusable_types(const Module& first, const Module& second, const Module& third);
std::optional<Tensor> run_fused_triple(Module& first, Module& second, Module& third, const Tensor& input);

}  // namespace lucid::nn
