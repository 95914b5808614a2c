// Scans along one dimension (no autograd): running sums, and the products of all other elements of a
// row, which the backward passes of cumsum and prod use.
#pragma once

#include <cstddef>

#include "framework/tensor.h"

namespace lucid::kernels {

// out[a, j, b] = Σ_{k ≤ j} x[a, k, b] along dim (reverse: Σ_{k ≥ j}), accumulated in float64.
Tensor cumsum(const Tensor& x, std::size_t dim, bool reverse);

// For x of shape (…, K): out[…, i] = Π_{k ≠ i} x[…, k], from a prefix and a suffix product (no
// division, so zeros in x are exact).
Tensor products_of_others(const Tensor& x);

}  // namespace lucid::kernels
