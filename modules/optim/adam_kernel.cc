// The Adam / AdamW update (formulas in adam_kernel.h), compiled per SIMD target. A plain loop would
// stay scalar: std::sqrt's errno path keeps GCC from vectorising it.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/optim/adam_kernel.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "modules/optim/adam_kernel.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::optim::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The scalars of AdamArgs, broadcast once.
template <class V>
struct AdamConstants {
  V beta1, one_minus_beta1, beta2, one_minus_beta2, step_size, bias_correction2_sqrt, eps, l2, shrink;
};

// One vector of the update; p, m and v in and out.
template <class V>
HWY_INLINE void AdamVector(const AdamConstants<V>& c, V& p, V g, V& m, V& v) {
  p = hn::Mul(p, c.shrink);                                         // p ← p·(1 − lr·weight_decay)   (AdamW)
  g = hn::Add(g, hn::Mul(c.l2, p));                                 // g ← g + weight_decay·p        (Adam)
  m = hn::Add(hn::Mul(c.beta1, m), hn::Mul(c.one_minus_beta1, g));  // m ← β₁·m + (1 − β₁)·g
  v = hn::Add(hn::Mul(c.beta2, v), hn::Mul(hn::Mul(c.one_minus_beta2, g), g));    // v ← β₂·v + (1 − β₂)·g²
  const V denom = hn::Add(hn::Div(hn::Sqrt(v), c.bias_correction2_sqrt), c.eps);  // √v / √(1 − β₂ᵗ) + eps
  p = hn::Sub(p, hn::Div(hn::Mul(c.step_size, m), denom));                        // p ← p − step_size·m / denom
}

template <typename T>
HWY_INLINE void AdamUpdate(const AdamArgs<T>& a) {
  const hn::ScalableTag<T> d;
  using V = hn::Vec<decltype(d)>;
  const AdamConstants<V> c{
      hn::Set(d, a.beta1),     hn::Set(d, a.one_minus_beta1),       hn::Set(d, a.beta2), hn::Set(d, a.one_minus_beta2),
      hn::Set(d, a.step_size), hn::Set(d, a.bias_correction2_sqrt), hn::Set(d, a.eps),   hn::Set(d, a.l2),
      hn::Set(d, a.shrink)};
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= a.n; i += lanes) {
    V p = hn::LoadU(d, a.param + i), m = hn::LoadU(d, a.exp_avg + i), v = hn::LoadU(d, a.exp_avg_sq + i);
    AdamVector(c, p, hn::LoadU(d, a.grad + i), m, v);
    hn::StoreU(p, d, a.param + i);
    hn::StoreU(m, d, a.exp_avg + i);
    hn::StoreU(v, d, a.exp_avg_sq + i);
  }
  if (i < a.n) {  // the tail as one masked vector; the lanes past n are computed but not stored
    const auto mask = hn::FirstN(d, a.n - i);
    V p = hn::MaskedLoad(mask, d, a.param + i), m = hn::MaskedLoad(mask, d, a.exp_avg + i);
    V v = hn::MaskedLoad(mask, d, a.exp_avg_sq + i);
    AdamVector(c, p, hn::MaskedLoad(mask, d, a.grad + i), m, v);
    hn::BlendedStore(p, mask, d, a.param + i);
    hn::BlendedStore(m, mask, d, a.exp_avg + i);
    hn::BlendedStore(v, mask, d, a.exp_avg_sq + i);
  }
}

void AdamUpdate_f32(const AdamArgs<float>& args) { AdamUpdate(args); }
void AdamUpdate_f64(const AdamArgs<double>& args) { AdamUpdate(args); }

}  // namespace lucid::optim::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::optim::kernels {
HWY_EXPORT(AdamUpdate_f32);
HWY_EXPORT(AdamUpdate_f64);

void adam_update(const AdamArgs<float>& args) { HWY_DYNAMIC_DISPATCH(AdamUpdate_f32)(args); }
void adam_update(const AdamArgs<double>& args) { HWY_DYNAMIC_DISPATCH(AdamUpdate_f64)(args); }

}  // namespace lucid::optim::kernels
#endif  // HWY_ONCE
