// softmax, log_softmax and logsumexp, computed around the slice's maximum (a constant: none of the three
// depends on the shift). softmax and log_softmax record PyTorch's backward formulas, written with
// differentiable ops on the output (recomputed from the input under create_graph, so they can be
// differentiated again); logsumexp is composed of differentiable ops.
#include <cmath>
#include <limits>

#include "autodiff/grad_mode.h"
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/reduce_dims.h"
#include "autodiff/saved_tensor.h"
#include "framework/kernels/reduce.h"

namespace lucid {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;
using autograd::TensorList;

namespace {

// x with a 0-d tensor seen as shape (1,), so that dim 0 / −1 are valid on it, as in PyTorch.
Tensor at_least_1d(const Tensor& x) { return x.dim() == 0 ? reshape(x, {1}) : x; }

// The maximum over the masked dims (keepdim shape), outside the graph; NaN where a slice holds one.
Tensor slice_max(const Tensor& x, const std::vector<bool>& mask) { return kernels::extreme_keepdim(x, mask, true); }

// softmax (take_log = false) or log_softmax along dim of x (at least 1-d), with `backward(y, g)` the
// gradient from the output y.
template <class Backward>
Tensor softmax_family(const char* backward_name, const Tensor& x, std::int64_t dim, bool take_log, Backward backward) {
  const std::vector<bool> mask = ops_detail::reduce_mask(x.shape(), {dim});
  Tensor out;
  {
    autograd::no_grad guard;
    const Tensor shifted = x - slice_max(x, mask);
    const Tensor e = exp(shifted);
    out = take_log ? shifted - log(sum(e, {dim}, true)) : e / sum(e, {dim}, true);
  }
  record(backward_name, out, {&x},
         [saved_x = SavedTensor(x), saved_y = SavedTensor(out.detach()), dim, take_log, backward](const Tensor& g, Node& node) {
           const Tensor y = autograd::is_grad_enabled()
                                ? (take_log ? log_softmax(saved_x.unpack(node), dim) : softmax(saved_x.unpack(node), dim))
                                : saved_y.unpack(node);
           return TensorList{backward(y, g, dim)};
         });
  return out;
}

// d = y·(g − Σ g·y)
Tensor softmax_backward(const Tensor& y, const Tensor& g, std::int64_t dim) { return y * (g - sum(g * y, {dim}, true)); }
// d = g − e^y·Σ g
Tensor log_softmax_backward(const Tensor& y, const Tensor& g, std::int64_t dim) {
  return g - exp(y) * sum(g, {dim}, true);
}

}  // namespace

// exp(x − m)/Σ exp(x − m), m the slice's maximum
Tensor softmax(const Tensor& x, std::int64_t dim) {
  const Tensor out = softmax_family("SoftmaxBackward", at_least_1d(x), dim, false, softmax_backward);
  return x.dim() == 0 ? reshape(out, {}) : out;
}

// (x − m) − ln Σ exp(x − m), m the slice's maximum
Tensor log_softmax(const Tensor& x, std::int64_t dim) {
  const Tensor out = softmax_family("LogSoftmaxBackward", at_least_1d(x), dim, true, log_softmax_backward);
  return x.dim() == 0 ? reshape(out, {}) : out;
}

// ln Σ exp(x − m) + m, m the slice's maximum where finite, else 0 (PyTorch's shift: a slice of −inf
// gives −inf, one with +inf gives +inf, NaN gives NaN)
Tensor logsumexp(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  const std::vector<bool> mask = ops_detail::reduce_mask(x.shape(), dims);
  const Tensor m = slice_max(x, mask);
  const Tensor shift = where(eq(abs(m), std::numeric_limits<double>::infinity()), 0.0, m);
  const Tensor out = log(sum(exp(x - shift), dims, true)) + shift;
  return keepdim ? out : reshape(out, ops_detail::as_vector(ops_detail::drop_reduced(out.shape(), mask)));
}

}  // namespace lucid
