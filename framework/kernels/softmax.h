// softmax and log_softmax over the last dimension of a contiguous (rows × length) buffer, and their
// backward, as SIMD kernels (softmax_kernels.cc); rows run in parallel, each row's arithmetic is
// the same for any thread count. No autograd: autodiff/ops/softmax_ops.cc records the graph.
#pragma once

#include <cstddef>

namespace lucid::kernels {

// y = exp(x − m)/Σ exp(x − m) per row, m the row's maximum; with take_log, y = (x − m) − ln Σ exp(x − m).
void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t length, bool take_log);
void softmax_rows(const double* x, double* y, std::size_t rows, std::size_t length, bool take_log);

// From the forward's output y and the gradient g: dx = y·(g − Σ g·y) per row (softmax), or
// dx = g − exp(y)·Σ g (log_softmax).
void softmax_rows_backward(const float* y, const float* g, float* dx, std::size_t rows, std::size_t length,
                           bool take_log);
void softmax_rows_backward(const double* y, const double* g, double* dx, std::size_t rows, std::size_t length,
                           bool take_log);

}  // namespace lucid::kernels
