// softmax, log_softmax and logsumexp, computed around the slice's maximum (a constant: none of the three
// depends on the shift). softmax and log_softmax record PyTorch's backward formulas, written with
// differentiable ops on the output (recomputed from the input under create_graph, so they can be
// differentiated again); logsumexp is composed of differentiable ops. Over the last dimension (rows
// of contiguous memory: attention scores, logits) the forward and the first-order backward run as
// row kernels (framework/kernels/softmax.h) instead of five whole-tensor passes.
#include <cmath>
#include <limits>

#include "autodiff/grad_mode.h"
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "autodiff/ops/reduce_dims.h"
#include "autodiff/saved_tensor.h"
#include "framework/kernels/layout.h"
#include "framework/kernels/reduce.h"
#include "framework/kernels/softmax.h"

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

// The number of rows of x's last dimension.
std::size_t row_count(const Tensor& x) {
  const std::int64_t length = x.size(-1);
  return length == 0 ? 0 : static_cast<std::size_t>(x.numel() / length);
}

// softmax (take_log = false) or log_softmax along dim of x (at least 1-d), with `backward(y, g)` the
// gradient from the output y.
template <class Backward>
Tensor softmax_family(const char* backward_name, const Tensor& x, std::int64_t dim, bool take_log, Backward backward) {
  const std::vector<bool> mask = ops_detail::reduce_mask(x.shape(), {dim});
  const bool rows = x.shape().normalize_dim(dim) + 1 == x.shape().size() && is_floating_point(x.dtype());
  Tensor out;
  if (rows) {
    out = Tensor::empty(x.shape(), x.dtype());
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      kernels::softmax_rows(kernels::dense(x).data<T>(), out.data<T>(), row_count(x), static_cast<std::size_t>(x.size(-1)), take_log);
    });
  } else {
    autograd::no_grad guard;
    const Tensor shifted = x - slice_max(x, mask);
    const Tensor e = exp(shifted);
    out = take_log ? shifted - log(sum(e, {dim}, true)) : e / sum(e, {dim}, true);
  }
  record(backward_name, out, {&x},
         [saved_x = SavedTensor(x), saved_y = SavedTensor(out.detach()), dim, take_log, rows, backward](const Tensor& g,
                                                                                                       Node& node) {
           if (autograd::is_grad_enabled()) {  // create_graph: differentiable formulas on a recomputed output
             const Tensor& x_value = saved_x.unpack(node);
             return TensorList{backward(take_log ? log_softmax(x_value, dim) : softmax(x_value, dim), g, dim)};
           }
           const Tensor& y = saved_y.unpack(node);
           if (!rows) return TensorList{backward(y, g, dim)};
           Tensor dx = Tensor::empty(y.shape(), y.dtype());
           visit_dtype(y.dtype(), [&](auto tag) {
             using T = decltype(tag);
             kernels::softmax_rows_backward(y.data<T>(), kernels::dense(g).data<T>(), dx.data<T>(), row_count(y),
                                            static_cast<std::size_t>(y.size(-1)), take_log);
           });
           return TensorList{dx};
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
