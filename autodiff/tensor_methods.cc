// Tensor's differentiable methods and operators: thin forwards to the ops in autodiff/ops.h, plus
// backward(), which validates its arguments and hands over to the engine.
#include "autodiff/engine.h"
#include "autodiff/ops.h"
#include "framework/factories.h"

namespace lucid {

void Tensor::backward(const Tensor& grad, bool retain_graph, bool create_graph) const {
  if (!requires_grad()) {
    throw RuntimeError("backward() called on a tensor that does not require grad (shape " + shape().str() +
                       "): no input of the computation had requires_grad=true, or it ran under no_grad");
  }
  Tensor seed = grad;
  if (!seed.defined()) {
    if (numel() != 1) {
      throw ValueError("backward() without a gradient needs a one-element tensor, got shape " + shape().str() +
                       "; pass a gradient of that shape or reduce first (e.g. .sum())");
    }
    seed = ones(shape(), dtype());
  } else if (seed.shape() != shape() || seed.dtype() != dtype()) {
    throw ValueError("backward(): gradient of shape " + seed.shape().str() + " and dtype " +
                     std::string(dtype_name(seed.dtype())) + " does not match the tensor's shape " + shape().str() +
                     " and dtype " + std::string(dtype_name(dtype())));
  }
  autograd::run_backward(*this, seed, retain_graph, create_graph);
}

Tensor Tensor::clone() const { return lucid::clone(*this); }
Tensor Tensor::to(DType dtype) const { return to_dtype(*this, dtype); }
Tensor Tensor::sum() const { return lucid::sum(*this); }
Tensor Tensor::sum(const std::vector<std::int64_t>& dims, bool keepdim) const { return lucid::sum(*this, dims, keepdim); }
Tensor Tensor::amax(const std::vector<std::int64_t>& dims, bool keepdim) const { return lucid::amax(*this, dims, keepdim); }
Tensor Tensor::amin(const std::vector<std::int64_t>& dims, bool keepdim) const { return lucid::amin(*this, dims, keepdim); }
Tensor Tensor::max() const { return lucid::max(*this); }
Tensor Tensor::min() const { return lucid::min(*this); }
std::tuple<Tensor, Tensor> Tensor::max(std::int64_t dim, bool keepdim) const { return lucid::max(*this, dim, keepdim); }
std::tuple<Tensor, Tensor> Tensor::min(std::int64_t dim, bool keepdim) const { return lucid::min(*this, dim, keepdim); }
Tensor Tensor::logsumexp(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return lucid::logsumexp(*this, dims, keepdim);
}
Tensor Tensor::softmax(std::int64_t dim) const { return lucid::softmax(*this, dim); }
Tensor Tensor::log_softmax(std::int64_t dim) const { return lucid::log_softmax(*this, dim); }
Tensor Tensor::var(const std::vector<std::int64_t>& dims, double correction, bool keepdim) const {
  return lucid::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(const std::vector<std::int64_t>& dims, double correction, bool keepdim) const {
  return lucid::std(*this, dims, correction, keepdim);
}
Tensor Tensor::norm() const { return lucid::norm(*this); }
Tensor Tensor::norm(double p, const std::vector<std::int64_t>& dims, bool keepdim) const {
  return lucid::norm(*this, p, dims, keepdim);
}
Tensor Tensor::cumsum(std::int64_t dim) const { return lucid::cumsum(*this, dim); }
Tensor Tensor::prod(const std::vector<std::int64_t>& dims, bool keepdim) const { return lucid::prod(*this, dims, keepdim); }
Tensor Tensor::mean() const { return lucid::mean(*this); }
Tensor Tensor::mean(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return lucid::mean(*this, dims, keepdim);
}
Tensor Tensor::reshape(IntList shape) const { return lucid::reshape(*this, shape); }
Tensor Tensor::permute(IntList dims) const { return lucid::permute(*this, dims); }
Tensor Tensor::transpose(std::int64_t dim0, std::int64_t dim1) const { return lucid::transpose(*this, dim0, dim1); }
Tensor Tensor::narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const {
  return lucid::narrow(*this, dim, start, length);
}
Tensor Tensor::select(std::int64_t dim, std::int64_t index) const { return lucid::select(*this, dim, index); }
Tensor Tensor::slice(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step) const {
  return lucid::slice(*this, dim, start, end, step);
}
std::vector<Tensor> Tensor::split(std::int64_t split_size, std::int64_t dim) const {
  return lucid::split(*this, split_size, dim);
}
std::vector<Tensor> Tensor::chunk(std::int64_t chunks, std::int64_t dim) const { return lucid::chunk(*this, chunks, dim); }
Tensor Tensor::unsqueeze(std::int64_t dim) const { return lucid::unsqueeze(*this, dim); }
Tensor Tensor::squeeze(std::int64_t dim) const { return lucid::squeeze(*this, dim); }
Tensor Tensor::squeeze() const { return lucid::squeeze(*this); }
Tensor Tensor::flatten(std::int64_t start_dim, std::int64_t end_dim) const {
  return lucid::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::t() const { return lucid::t(*this); }
Tensor Tensor::matmul(const Tensor& other) const { return lucid::matmul(*this, other); }
Tensor Tensor::pow(double exponent) const { return lucid::pow(*this, exponent); }
Tensor Tensor::clamp(double min, double max) const { return lucid::clamp(*this, min, max); }
Tensor Tensor::clamp_min(double min) const { return lucid::clamp_min(*this, min); }
Tensor Tensor::clamp_max(double max) const { return lucid::clamp_max(*this, max); }
Tensor Tensor::masked_fill(const Tensor& mask, double value) const { return lucid::masked_fill(*this, mask, value); }
Tensor Tensor::hardtanh(double min_val, double max_val) const { return lucid::hardtanh(*this, min_val, max_val); }
Tensor Tensor::softplus(double beta, double threshold) const { return lucid::softplus(*this, beta, threshold); }
Tensor Tensor::leaky_relu(double negative_slope) const { return lucid::leaky_relu(*this, negative_slope); }
Tensor Tensor::elu(double alpha) const { return lucid::elu(*this, alpha); }
#define LUCID_UNARY_OP(name, Name, group, ...) \
  Tensor Tensor::name() const { return lucid::name(*this); }
#include "framework/kernels/unary_ops.inc"
Tensor Tensor::argmax() const { return lucid::argmax(*this); }
Tensor Tensor::argmax(std::int64_t dim, bool keepdim) const { return lucid::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin() const { return lucid::argmin(*this); }
Tensor Tensor::argmin(std::int64_t dim, bool keepdim) const { return lucid::argmin(*this, dim, keepdim); }
Tensor Tensor::index_select(std::int64_t dim, const Tensor& index) const { return lucid::index_select(*this, dim, index); }
Tensor Tensor::gather(std::int64_t dim, const Tensor& index) const { return lucid::gather(*this, dim, index); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator-(const Tensor& a, double b) { return sub(a, b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return div(a, b); }
Tensor operator+(double a, const Tensor& b) { return add(b, a); }
Tensor operator-(double a, const Tensor& b) { return sub(a, b); }
Tensor operator*(double a, const Tensor& b) { return mul(b, a); }
Tensor operator/(double a, const Tensor& b) { return div(a, b); }
#define LUCID_COMPARISON(name, op)                                                         \
  Tensor Tensor::name(const Tensor& other) const { return lucid::name(*this, other); }     \
  Tensor operator op(const Tensor& a, const Tensor& b) { return name(a, b); }              \
  Tensor operator op(const Tensor& a, double b) { return name(a, b); }
LUCID_COMPARISON(eq, ==)
LUCID_COMPARISON(ne, !=)
LUCID_COMPARISON(lt, <)
LUCID_COMPARISON(le, <=)
LUCID_COMPARISON(gt, >)
LUCID_COMPARISON(ge, >=)
#undef LUCID_COMPARISON

}  // namespace lucid
