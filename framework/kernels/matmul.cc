#include "framework/kernels/matmul.h"

#include <cblas.h>

namespace lucid::kernels {

Tensor matmul(const Tensor& a, const Tensor& b) {
  const auto m = static_cast<blasint>(a.size(0));
  const auto k = static_cast<blasint>(a.size(1));
  const auto n = static_cast<blasint>(b.size(1));
  Tensor c = Tensor::empty({m, n}, a.dtype());
  if (m == 0 || n == 0) return c;
  if (k == 0) return c.zero_();
  if (a.dtype() == float32) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a.data<float>(), k, b.data<float>(), n,
                0.0f, c.data<float>(), n);
  } else {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a.data<double>(), k, b.data<double>(), n,
                0.0, c.data<double>(), n);
  }
  return c;
}

}  // namespace lucid::kernels
