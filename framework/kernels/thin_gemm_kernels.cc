// The thin-k matrix products of thin_gemm.h, compiled per SIMD target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/thin_gemm_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "framework/kernels/thin_gemm.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Calls f(std::integral_constant<std::size_t, count>()) for a runtime count in [1, kMax]: the register
// tiles below are sized at compile time.
template <std::size_t kMax, class F>
HWY_INLINE void WithCount(std::size_t count, F&& f) {
  [&]<std::size_t... c>(std::index_sequence<c...>) {
    ((count == c + 1 ? (f(std::integral_constant<std::size_t, c + 1>()), 0) : 0), ...);
  }(std::make_index_sequence<kMax>());
}

// y[r, j + v·lanes + l] for R rows and NV vectors of columns from j (a, y, bias at the block's first row;
// b's rows ldb apart):
// every row's accumulators start at its bias and take one multiply-add per row p of b, whose vectors
// are loaded once for all R rows.
template <std::size_t R, std::size_t NV, class D>
HWY_INLINE void ProductTile(D d, const float* a, const float* b, std::size_t ldb, const float* bias, float* y,
                            std::size_t n, std::size_t k, std::size_t j) {
  using V = hn::Vec<D>;
  const std::size_t lanes = hn::Lanes(d);
  V acc[R][NV];
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t v = 0; v < NV; ++v) acc[r][v] = hn::Set(d, bias ? bias[r] : 0.0f);
  }
  for (std::size_t p = 0; p < k; ++p) {
    V bp[NV];
    for (std::size_t v = 0; v < NV; ++v) bp[v] = hn::LoadU(d, b + p * ldb + j + v * lanes);
    for (std::size_t r = 0; r < R; ++r) {
      const V weight = hn::Set(d, a[r * k + p]);
      for (std::size_t v = 0; v < NV; ++v) acc[r][v] = hn::MulAdd(weight, bp[v], acc[r][v]);
    }
  }
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t v = 0; v < NV; ++v) hn::StoreU(acc[r][v], d, y + r * n + j + v * lanes);
  }
}

// R rows of y: two vectors of columns at a time, then one, then the columns past the last full vector
// one by one, with the same fused multiply-adds in the same order.
template <std::size_t R, class D>
HWY_INLINE void ProductRows(D d, const float* a, const float* b, std::size_t ldb, const float* bias, float* y,
                            std::size_t n, std::size_t k) {
  const std::size_t lanes = hn::Lanes(d);
  std::size_t j = 0;
  for (; j + 2 * lanes <= n; j += 2 * lanes) ProductTile<R, 2>(d, a, b, ldb, bias, y, n, k, j);
  for (; j + lanes <= n; j += lanes) ProductTile<R, 1>(d, a, b, ldb, bias, y, n, k, j);
  for (; j < n; ++j) {
    for (std::size_t r = 0; r < R; ++r) {
      float acc = bias ? bias[r] : 0.0f;
      for (std::size_t p = 0; p < k; ++p) acc = std::fma(a[r * k + p], b[p * ldb + j], acc);
      y[r * n + j] = acc;
    }
  }
}

void ThinGemm(const float* a, const float* b, std::size_t ldb, const float* bias, float* y, std::size_t m,
              std::size_t n, std::size_t k) {
  constexpr std::size_t kRows = 4;
  const hn::ScalableTag<float> d;
  for (std::size_t i = 0; i < m; i += kRows) {
    WithCount<kRows>(std::min(kRows, m - i), [&](auto rows) {
      ProductRows<rows()>(d, a + i * k, b, ldb, bias ? bias + i : nullptr, y + i * n, n, k);
    });
  }
}

// da[r, q] (row stride k) and, with kBiasGrad, bias_grad[r] for RI rows of g against RQ rows of b (g,
// b, da and bias_grad at the tile's first row; b's rows ldb apart): lane-wise multiply-adds over the full vectors of j,
// each lane sum then reduced and the remaining columns added one by one.
template <std::size_t RI, std::size_t RQ, bool kBiasGrad, class D>
HWY_INLINE void GradientTile(D d, const float* g, const float* b, std::size_t ldb, float* da, float* bias_grad,
                             std::size_t n, std::size_t k, bool accumulate) {
  using V = hn::Vec<D>;
  const std::size_t lanes = hn::Lanes(d);
  V acc[RI][RQ], sums[RI];
  for (std::size_t r = 0; r < RI; ++r) {
    sums[r] = hn::Zero(d);
    for (std::size_t q = 0; q < RQ; ++q) acc[r][q] = hn::Zero(d);
  }
  std::size_t j = 0;
  for (; j + lanes <= n; j += lanes) {
    V bq[RQ];
    for (std::size_t q = 0; q < RQ; ++q) bq[q] = hn::LoadU(d, b + q * ldb + j);
    for (std::size_t r = 0; r < RI; ++r) {
      const V gr = hn::LoadU(d, g + r * n + j);
      if constexpr (kBiasGrad) sums[r] = hn::Add(sums[r], gr);
      for (std::size_t q = 0; q < RQ; ++q) acc[r][q] = hn::MulAdd(gr, bq[q], acc[r][q]);
    }
  }
  const auto store = [accumulate](float& out, float value) { out = accumulate ? out + value : value; };
  for (std::size_t r = 0; r < RI; ++r) {
    for (std::size_t q = 0; q < RQ; ++q) {
      float total = hn::GetLane(hn::SumOfLanes(d, acc[r][q]));
      for (std::size_t t = j; t < n; ++t) total = std::fma(g[r * n + t], b[q * ldb + t], total);
      store(da[r * k + q], total);
    }
    if constexpr (kBiasGrad) {
      float total = hn::GetLane(hn::SumOfLanes(d, sums[r]));
      for (std::size_t t = j; t < n; ++t) total += g[r * n + t];
      store(bias_grad[r], total);
    }
  }
}

void ThinGemmGradient(const float* g, const float* b, std::size_t ldb, float* da, float* bias_grad, std::size_t m,
                      std::size_t n, std::size_t k, bool accumulate) {
  constexpr std::size_t kRows = 2, kColumns = 3;  // 6 accumulators, 2 sums, 3 + 1 loaded vectors
  const hn::ScalableTag<float> d;
  for (std::size_t i = 0; i < m; i += kRows) {
    WithCount<kRows>(std::min(kRows, m - i), [&](auto rows) {
      for (std::size_t p = 0; p < k; p += kColumns) {
        WithCount<kColumns>(std::min(kColumns, k - p), [&](auto columns) {
          const auto tile = [&](auto with_bias) {
            GradientTile<rows(), columns(), with_bias()>(d, g + i * n, b + p * ldb, ldb, da + i * k + p,
                                                         bias_grad ? bias_grad + i : nullptr, n, k, accumulate);
          };
          if (bias_grad && p == 0) {  // the row sums ride along with the first tile of columns
            tile(std::true_type());
          } else {
            tile(std::false_type());
          }
        });
      }
    });
  }
}

}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
HWY_EXPORT(ThinGemm);
HWY_EXPORT(ThinGemmGradient);

void thin_gemm(const float* a, const float* b, std::size_t ldb, const float* bias, float* y, std::size_t m,
               std::size_t n, std::size_t k) {
  HWY_DYNAMIC_DISPATCH(ThinGemm)(a, b, ldb, bias, y, m, n, k);
}

void thin_gemm_gradient(const float* g, const float* b, std::size_t ldb, float* da, float* bias_grad, std::size_t m,
                        std::size_t n, std::size_t k, bool accumulate) {
  HWY_DYNAMIC_DISPATCH(ThinGemmGradient)(g, b, ldb, da, bias_grad, m, n, k, accumulate);
}
}  // namespace lucid::kernels
#endif  // HWY_ONCE
