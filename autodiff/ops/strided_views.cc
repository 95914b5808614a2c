#include "autodiff/ops/strided_views.h"

#include "autodiff/node.h"

namespace lucid::autograd {

using kernels::StridedPlacement;

Tensor strided_view_of(const Tensor& x, const StridedPlacement& placement, const char* name) {
  Tensor out = kernels::strided_view(x, placement);
  TensorImpl& impl = *out.impl();
  impl.view_base = x.impl()->view_base ? x.impl()->view_base : x.impl();
  impl.base_history_seen = impl.view_base->history;
  record(name, out, {&x}, [from = kernels::placement_of(x), placement](const Tensor& g, Node&) {
    return TensorList{autograd::restride(g, placement, from)};
  });
  return out;
}

Tensor restride(const Tensor& src, const StridedPlacement& write, const StridedPlacement& read) {
  Tensor out = kernels::restride(src, write, read);
  record("RestrideBackward", out, {&src}, [write, read](const Tensor& g, Node&) {
    return TensorList{autograd::restride(g, read, write)};
  });
  return out;
}

}  // namespace lucid::autograd
