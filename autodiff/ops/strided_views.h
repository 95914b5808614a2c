// Strided views: the differentiable primitives behind select, narrow, slice, squeeze, unsqueeze and
// index with basic indices, and behind in-place writes through a view (inplace_ops.cc).
//
// A view is a placement (shape, strides, offset) in its input's storage. Its gradient is
// restride(g, view's placement → input's placement): g written into a zero buffer where the view's
// elements sit and read back where the input's sit. restride's own gradient is the same map with the
// placements swapped, so derivatives of any order follow.
#pragma once

#include "framework/kernels/layout.h"
#include "framework/tensor.h"

namespace lucid::autograd {

// A view of x at `placement` (positions in x's storage; inside x's own elements), sharing x's storage
// and version counter, with x's base (or x) as its view base; `name` names its backward node.
Tensor strided_view_of(const Tensor& x, const kernels::StridedPlacement& placement, const char* name);

// Differentiable kernels::restride.
Tensor restride(const Tensor& src, const kernels::StridedPlacement& write, const kernels::StridedPlacement& read);

}  // namespace lucid::autograd
