// LayerNorm's and RMSNorm's kernels with lucid's built-in epilogues (the identity and nn::Activation's activations),
// compiled per SIMD target from the templates of layer_norm-inl.h; the OpenMP split over rows (forward)
// and row blocks (backward), and the ordered sum of the blocks' partial dγ, dβ.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "framework/kernels/layer_norm_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "framework/kernels/elementwise_exprs.h"
#include "framework/kernels/layer_norm-inl.h"
#include "framework/kernels/layer_norm_epilogue.h"
#include "hwy/highway.h"

// The built-in epilogues of LayerNorm and RMSNorm.
#define LUCID_LAYER_NORM_EPILOGUES(EPILOGUE) LUCID_DETAIL_NORM_BUILTIN_EPILOGUES(EPILOGUE, LayerNorm)
#define LUCID_RMS_NORM_EPILOGUES(EPILOGUE) LUCID_DETAIL_NORM_BUILTIN_EPILOGUES(EPILOGUE, RMSNorm)

HWY_BEFORE_NAMESPACE();
namespace lucid::kernels::HWY_NAMESPACE {
LUCID_LAYER_NORM_EPILOGUES(LUCID_LAYER_NORM_TARGET_KERNELS)
LUCID_RMS_NORM_EPILOGUES(LUCID_RMS_NORM_TARGET_KERNELS)
}  // namespace lucid::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <optional>

#include "framework/kernels/chunk_partials.h"
#include "framework/kernels/parallel_items.h"
#include "framework/storage.h"

namespace lucid::kernels {

LUCID_LAYER_NORM_EPILOGUES(LUCID_LAYER_NORM_EXPORT_KERNELS)
LUCID_RMS_NORM_EPILOGUES(LUCID_LAYER_NORM_EXPORT_KERNELS)

namespace {

template <typename T>
void backward_rows(NormRange<LayerNormBackwardArgs<T>> run, const LayerNormBackwardArgs<T>& args) {
  const std::size_t blocks = (args.rows + kLayerNormRowBlock - 1) / kLayerNormRowBlock;
  const bool affine_grads = args.dgamma || args.dbeta;
  // Every block zeroes its own rows of partials first. A recycled Storage: a fresh allocation of this
  // size (0.8 MB for (4096, 768)) would fault its pages in again at every call.
  std::optional<Storage> partial_storage;
  if (affine_grads) partial_storage.emplace(2 * blocks * args.cols * sizeof(T));
  T* const partials = affine_grads ? static_cast<T*>(partial_storage->data()) : nullptr;
  LayerNormBackwardArgs<T> a = args;
  a.column_partials = partials;
  detail::parallel_items(run, a, blocks);
  if (!affine_grads) return;
  // dγ_j = Σ_blocks partial[0][block][j], dβ_j likewise, blocks in order for every column.
  if (args.dgamma) detail::sum_chunk_partials(partials, blocks, args.cols, args.dgamma);
  if (args.dbeta) detail::sum_chunk_partials(partials + blocks * args.cols, blocks, args.cols, args.dbeta);
}

}  // namespace

void layer_norm_forward(const LayerNormKernels& k, const LayerNormForwardArgs<float>& a) {
  detail::parallel_items(k.forward_f32, a, a.rows);
}
void layer_norm_forward(const LayerNormKernels& k, const LayerNormForwardArgs<double>& a) {
  detail::parallel_items(k.forward_f64, a, a.rows);
}
void layer_norm_backward(const LayerNormKernels& k, const LayerNormBackwardArgs<float>& a) {
  backward_rows(k.backward_f32, a);
}
void layer_norm_backward(const LayerNormKernels& k, const LayerNormBackwardArgs<double>& a) {
  backward_rows(k.backward_f64, a);
}

}  // namespace lucid::kernels
#endif  // HWY_ONCE
