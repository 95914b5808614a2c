// MaxPool2d(2) on float32 planes, compiled per SIMD target (declared in max_pool_2x2.h).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/max_pool_2x2_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>
#include <cstdint>

#include "framework/kernels/max_pool_2x2.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_SCALAR  // one-lane vectors have no even/odd split: the caller's scalar loop

// The running-maximum step of the scalar kernel, lane-wise: the candidate wins when it is greater or NaN.
template <class DI, class V, class VI>
void Offer(DI di, V& best, VI& index, V candidate, VI candidate_index) {
  const auto take = hn::Or(hn::Gt(candidate, best), hn::IsNaN(candidate));
  best = hn::IfThenElse(take, candidate, best);
  index = hn::IfThenElse(hn::RebindMask(di, take), candidate_index, index);
}

// Lanes(d) outputs of row oh starting at column ow. A window's four values come from two rows of
// 2·Lanes(d) inputs split into even (left) and odd (right) columns:
//   upper = top-left, then top-right if greater or NaN; lower likewise; then lower if greater or NaN
// (the scalar kernel's tree, so the same winner as the row-major scan).
template <class D>
void PoolVector(D d, const float* image, std::size_t width, std::size_t oh, std::size_t ow, std::size_t out_w,
                float* out, std::int32_t* out_index) {
  const hn::RebindToSigned<D> di;
  const std::size_t lanes = hn::Lanes(d);
  const float* top = image + 2 * oh * width + 2 * ow;
  const float* bottom = top + width;
  const auto top_a = hn::LoadU(d, top), top_b = hn::LoadU(d, top + lanes);
  const auto bottom_a = hn::LoadU(d, bottom), bottom_b = hn::LoadU(d, bottom + lanes);
  const auto top_left_index =
      hn::Add(hn::Add(hn::Iota(di, 0), hn::Iota(di, 0)), hn::Set(di, static_cast<std::int32_t>(2 * oh * width + 2 * ow)));
  const auto one = hn::Set(di, 1), row = hn::Set(di, static_cast<std::int32_t>(width));

  auto upper = hn::ConcatEven(d, top_b, top_a);
  auto upper_index = top_left_index;
  Offer(di, upper, upper_index, hn::ConcatOdd(d, top_b, top_a), hn::Add(top_left_index, one));
  auto lower = hn::ConcatEven(d, bottom_b, bottom_a);
  auto lower_index = hn::Add(top_left_index, row);
  Offer(di, lower, lower_index, hn::ConcatOdd(d, bottom_b, bottom_a), hn::Add(lower_index, one));
  Offer(di, upper, upper_index, lower, lower_index);
  hn::StoreU(upper, d, out + oh * out_w + ow);
  hn::StoreU(upper_index, di, out_index + oh * out_w + ow);
}

// Every row in vectors of Lanes(d) outputs; a row's last vector is aligned to the row's end and may
// overlap the one before it (recomputing the same outputs), so no scalar tail is needed.
template <class D>
void PoolPlane(D d, const float* image, std::size_t width, std::size_t out_h, std::size_t out_w, float* out,
               std::int32_t* out_index) {
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t oh = 0; oh < out_h; ++oh) {
    for (std::size_t ow = 0; ow < out_w; ow += lanes) {
      PoolVector(d, image, width, oh, ow + lanes <= out_w ? ow : out_w - lanes, out_w, out, out_index);
    }
  }
}

// The widest vector (up to the target's) that fits in a row of outputs.
bool MaxPool2x2Plane(const float* image, std::size_t width, std::size_t out_h, std::size_t out_w, float* out,
                     std::int32_t* out_index) {
  const hn::ScalableTag<float> full;
  const hn::CappedTag<float, 8> half;
  const hn::CappedTag<float, 4> quarter;
  if (out_w >= hn::Lanes(full)) {
    PoolPlane(full, image, width, out_h, out_w, out, out_index);
  } else if (out_w >= hn::Lanes(half)) {
    PoolPlane(half, image, width, out_h, out_w, out, out_index);
  } else if (out_w >= hn::Lanes(quarter)) {
    PoolPlane(quarter, image, width, out_h, out_w, out, out_index);
  } else {
    return false;
  }
  return true;
}
#else
bool MaxPool2x2Plane(const float*, std::size_t, std::size_t, std::size_t, float*, std::int32_t*) { return false; }
#endif

}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace lucid::kernels {
HWY_EXPORT(MaxPool2x2Plane);

bool max_pool_2x2_plane(const float* image, std::size_t width, std::size_t out_h, std::size_t out_w, float* out,
                        std::int32_t* out_index) {
  return HWY_DYNAMIC_DISPATCH(MaxPool2x2Plane)(image, width, out_h, out_w, out, out_index);
}
}  // namespace lucid::kernels
#endif  // HWY_ONCE
