#include "framework/kernels/conv2d_onednn.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "framework/errors.h"
#include "framework/kernels/chunk_partials.h"
#include "framework/storage.h"

namespace lucid::kernels {
namespace {

using dnnl::memory;
using Index = std::ptrdiff_t;

// Samples per chunk: one oneDNN call each. SampleChunks are the unit of parallel work and of dW's partial
// sums, so the count depends on the shape only.
constexpr std::size_t kSamplesPerOnednnChunk = 8;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::dim dnnl_dim(std::size_t v) { return static_cast<memory::dim>(v); }

// One operand of a primitive: lucid's plain layout (NCHW / OIHW), the layout the primitive chose
// (format_tag::any) and the reorder from one to the other (in the direction the operand flows), absent
// when they are the same.
struct ConvOperand {
  memory::desc plain, chosen;
  std::optional<dnnl::reorder> reorder;
};

ConvOperand input_operand(const memory::desc& plain, const memory::desc& chosen) {
  ConvOperand op{plain, chosen, std::nullopt};
  if (chosen != plain) op.reorder.emplace(dnnl::reorder::primitive_desc(cpu_engine(), plain, cpu_engine(), chosen));
  return op;
}

ConvOperand output_operand(const memory::desc& plain, const memory::desc& chosen) {
  ConvOperand op{plain, chosen, std::nullopt};
  if (chosen != plain) op.reorder.emplace(dnnl::reorder::primitive_desc(cpu_engine(), chosen, cpu_engine(), plain));
  return op;
}

enum class ConvPass : std::uint8_t { forward, forward_with_bias, backward_data, backward_weights };

// A primitive for one chunk size: forward (src, weights → dst), backward data (diff_dst, weights →
// diff_src) or backward weights (src, diff_dst → diff_weights), with its operands' layouts.
struct ConvPlan {
  dnnl::primitive primitive;
  ConvOperand first, second, output;
  std::size_t scratchpad_bytes = 0;
};

// The chunk's geometry in oneDNN's terms. oneDNN's dilation counts the gaps (d − 1); its right/bottom
// padding is whatever makes the output size come out exactly.
struct ConvDescriptors {
  memory::desc src, weights, dst, bias;  // plain layouts
  memory::desc any_src, any_weights, any_dst;
  memory::dims strides, dilation, pad_l, pad_r;
};

// The bias, plain (O,).
memory::desc bias_desc(const Conv2dGeometry& g) {
  return memory::desc({dnnl_dim(g.out_channels)}, memory::data_type::f32, memory::format_tag::x);
}

ConvDescriptors conv_descriptors(const Conv2dGeometry& g, std::size_t batch) {
  using tag = memory::format_tag;
  const auto f32 = memory::data_type::f32;
  const memory::dims src{dnnl_dim(batch), dnnl_dim(g.in_channels), dnnl_dim(g.height), dnnl_dim(g.width)};
  // Grouped: (G, O / G, C / G, KH, KW), the same memory as lucid's (O, C / G, KH, KW).
  const memory::dims weights =
      g.groups == 1 ? memory::dims{dnnl_dim(g.out_channels), dnnl_dim(g.in_channels), dnnl_dim(g.kernel_h),
                                   dnnl_dim(g.kernel_w)}
                    : memory::dims{dnnl_dim(g.groups), dnnl_dim(g.group_outputs()), dnnl_dim(g.in_channels / g.groups),
                                   dnnl_dim(g.kernel_h), dnnl_dim(g.kernel_w)};
  const memory::dims dst{dnnl_dim(batch), dnnl_dim(g.out_channels), dnnl_dim(g.out_h), dnnl_dim(g.out_w)};
  const auto pad_r = [](std::size_t out, std::size_t in, std::size_t k, std::size_t s, std::size_t d, std::size_t p) {
    return static_cast<memory::dim>((out - 1) * s + (k - 1) * d + 1) - static_cast<memory::dim>(in + p);
  };
  return {memory::desc(src, f32, tag::nchw),
          memory::desc(weights, f32, g.groups == 1 ? tag::oihw : tag::goihw),
          memory::desc(dst, f32, tag::nchw),
          bias_desc(g),
          memory::desc(src, f32, tag::any),
          memory::desc(weights, f32, tag::any),
          memory::desc(dst, f32, tag::any),
          {dnnl_dim(g.stride_h), dnnl_dim(g.stride_w)},
          {dnnl_dim(g.dilation_h - 1), dnnl_dim(g.dilation_w - 1)},
          {dnnl_dim(g.pad_h), dnnl_dim(g.pad_w)},
          {pad_r(g.out_h, g.height, g.kernel_h, g.stride_h, g.dilation_h, g.pad_h),
           pad_r(g.out_w, g.width, g.kernel_w, g.stride_w, g.dilation_w, g.pad_w)}};
}

// oneDNN fixes a primitive's work split for omp_get_max_threads() when it is created. Plans are
// created for one thread, and each runs single-threaded inside lucid's parallel loop over chunks
// (oneDNN runs one thread inside an active parallel region), so the kernels and their summation order
// are the same for any thread count.
class OneThreadScope {
 public:
  OneThreadScope() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~OneThreadScope() { omp_set_num_threads(saved_); }
  OneThreadScope(const OneThreadScope&) = delete;
  OneThreadScope& operator=(const OneThreadScope&) = delete;

 private:
  int saved_;
};

ConvPlan make_conv_plan(const Conv2dGeometry& g, std::size_t batch, ConvPass pass) {
  const OneThreadScope one_thread;
  const ConvDescriptors d = conv_descriptors(g, batch);
  const auto algorithm = dnnl::algorithm::convolution_direct;
  const auto prop = dnnl::prop_kind::forward_training;
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // a buffer per executing thread
  const dnnl::convolution_forward::primitive_desc forward(
      pass == ConvPass::forward_with_bias
          ? dnnl::convolution_forward::desc(prop, algorithm, d.any_src, d.any_weights, d.bias, d.any_dst, d.strides,
                                            d.dilation, d.pad_l, d.pad_r)
          : dnnl::convolution_forward::desc(prop, algorithm, d.any_src, d.any_weights, d.any_dst, d.strides,
                                            d.dilation, d.pad_l, d.pad_r),
      attr, cpu_engine());
  const auto scratch = [](const dnnl::primitive_desc& pd) { return pd.scratchpad_desc().get_size(); };
  switch (pass) {
    case ConvPass::forward:
    case ConvPass::forward_with_bias:
      return {dnnl::convolution_forward(forward), input_operand(d.src, forward.src_desc()),
              input_operand(d.weights, forward.weights_desc()), output_operand(d.dst, forward.dst_desc()),
              scratch(forward)};
    case ConvPass::backward_data: {
      const dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(algorithm, d.any_src, d.any_weights, d.any_dst, d.strides, d.dilation,
                                                d.pad_l, d.pad_r),
          attr, cpu_engine(), forward);
      return {dnnl::convolution_backward_data(pd), input_operand(d.dst, pd.diff_dst_desc()),
              input_operand(d.weights, pd.weights_desc()), output_operand(d.src, pd.diff_src_desc()), scratch(pd)};
    }
    case ConvPass::backward_weights: {
      const dnnl::convolution_backward_weights::primitive_desc pd(
          dnnl::convolution_backward_weights::desc(algorithm, d.any_src, d.any_weights, d.any_dst, d.strides,
                                                   d.dilation, d.pad_l, d.pad_r),
          attr, cpu_engine(), forward);
      return {dnnl::convolution_backward_weights(pd), input_operand(d.src, pd.src_desc()),
              input_operand(d.dst, pd.diff_dst_desc()), output_operand(d.weights, pd.diff_weights_desc()),
              scratch(pd)};
    }
  }
  return {};
}

// Plans are made once per (geometry, chunk size, pass) and shared by every thread (oneDNN primitives
// execute concurrently when each call brings its own scratchpad). The cache keeps the
// kMaxOnednnConvPlans most recently used, so a program that meets ever new input sizes does not pile
// up JIT code; a call holds its plans, so an evicted one lives until the calls using it end.
class ConvPlanCache {
 public:
  using Key = std::array<std::size_t, 17>;

  std::shared_ptr<const ConvPlan> get(const Conv2dGeometry& g, std::size_t batch, ConvPass pass) {
    const Key key{g.in_channels, g.height,   g.width,      g.out_channels, g.kernel_h,   g.kernel_w,
                  g.stride_h,    g.stride_w, g.pad_h,      g.pad_w,        g.dilation_h, g.dilation_w,
                  g.out_h,       g.out_w,    g.groups,     batch,          static_cast<std::size_t>(pass)};
    const std::lock_guard lock(mutex_);
    if (const auto found = index_.find(key); found != index_.end()) {
      recent_.splice(recent_.begin(), recent_, found->second);  // now the most recently used
      return found->second->second;
    }
    auto plan = std::make_shared<const ConvPlan>(make(g, batch, pass));
    recent_.emplace_front(key, plan);
    index_.emplace(key, recent_.begin());
    if (recent_.size() > kMaxOnednnConvPlans) {
      index_.erase(recent_.back().first);
      recent_.pop_back();
    }
    return plan;
  }

  std::size_t size() {
    const std::lock_guard lock(mutex_);
    return recent_.size();
  }

 private:
  static ConvPlan make(const Conv2dGeometry& g, std::size_t batch, ConvPass pass) {
    try {
      return make_conv_plan(g, batch, pass);
    } catch (const dnnl::error& e) {  // a geometry oneDNN has no primitive for: every one tested has
      throw RuntimeError("conv2d: oneDNN could not make a primitive for in_channels=" + std::to_string(g.in_channels) +
                         ", out_channels=" + std::to_string(g.out_channels) + ", input " + std::to_string(g.height) +
                         "x" + std::to_string(g.width) + ", kernel " + std::to_string(g.kernel_h) + "x" +
                         std::to_string(g.kernel_w) + ", groups=" + std::to_string(g.groups) + ": " + e.what());
    }
  }

  std::mutex mutex_;
  std::list<std::pair<Key, std::shared_ptr<const ConvPlan>>> recent_;  // most recently used first
  std::map<Key, decltype(recent_)::iterator> index_;
};

// Never destroyed: a convolution in a static object's destructor may still need it.
ConvPlanCache& plan_cache() {
  static ConvPlanCache* const cache = new ConvPlanCache;
  return *cache;
}

std::shared_ptr<const ConvPlan> conv_plan(const Conv2dGeometry& g, std::size_t batch, ConvPass pass) {
  return plan_cache().get(g, batch, pass);
}

// Buffers are lucid's Storage (recycled from 256 KiB: they are rewritten every step), never empty.
std::size_t nonempty_bytes(std::size_t bytes) { return std::max<std::size_t>(bytes, 64); }

// The chunks [0, chunks) of `batch` samples and the size of chunk i.
struct SampleChunks {
  std::size_t batch, count;
  explicit SampleChunks(std::size_t n) : batch(n), count((n + kSamplesPerOnednnChunk - 1) / kSamplesPerOnednnChunk) {}
  std::size_t first(Index i) const { return static_cast<std::size_t>(i) * kSamplesPerOnednnChunk; }
  std::size_t size(Index i) const { return std::min(kSamplesPerOnednnChunk, batch - first(i)); }
};

// Runs `p` with the given arguments (and a scratchpad) on a stream of this thread.
void execute_conv(const dnnl::primitive& p, std::unordered_map<int, memory> args, void* scratchpad,
                  std::size_t bytes, const dnnl::stream& stream) {
  if (bytes > 0) {
    args.emplace(DNNL_ARG_SCRATCHPAD,
                 memory(memory::desc({dnnl_dim(bytes)}, memory::data_type::u8, memory::format_tag::x), cpu_engine(),
                        scratchpad));
  }
  p.execute(stream, args);
}

// `data` (plain layout) as the primitive wants it: itself, or its reorder into `scratch`.
memory prepared_input(const ConvOperand& op, const float* data, void* scratch, const dnnl::stream& stream) {
  memory plain(op.plain, cpu_engine(), const_cast<float*>(data));
  if (!op.reorder) return plain;
  memory chosen(op.chosen, cpu_engine(), scratch);
  op.reorder->execute(stream, plain, chosen);
  return chosen;
}

// The weights in each chunk size's chosen layout, reordered once per call (chunk sizes that chose the
// same layout share one copy).
class PreparedWeights {
 public:
  PreparedWeights(const ConvOperand& full, const ConvOperand* rest, const float* w) {
    dnnl::stream stream(cpu_engine());
    full_storage_.emplace(nonempty_bytes(full.chosen.get_size()));
    full_ = prepared_input(full, w, full_storage_->data(), stream);
    rest_ = full_;
    if (rest && rest->chosen != full.chosen) {
      rest_storage_.emplace(nonempty_bytes(rest->chosen.get_size()));
      rest_ = prepared_input(*rest, w, rest_storage_->data(), stream);
    }
    stream.wait();
  }
  const memory& for_chunk(std::size_t size) const { return size == kSamplesPerOnednnChunk ? full_ : rest_; }

 private:
  std::optional<Storage> full_storage_, rest_storage_;
  memory full_, rest_;
};

// The largest size_of(plan) over the plans given (null ones skipped), in bytes, never 0.
template <class SizeOf>
std::size_t largest_bytes(std::initializer_list<const ConvPlan*> plans, SizeOf size_of) {
  std::size_t bytes = 0;
  for (const ConvPlan* p : plans) {
    if (p) bytes = std::max(bytes, size_of(*p));
  }
  return nonempty_bytes(bytes);
}

// The largest chosen layout of one operand over the plans.
std::size_t largest_layout_bytes(std::initializer_list<const ConvPlan*> plans, ConvOperand ConvPlan::*operand) {
  return largest_bytes(plans, [operand](const ConvPlan& p) { return (p.*operand).chosen.get_size(); });
}

std::size_t largest_scratchpad(std::initializer_list<const ConvPlan*> plans) {
  return largest_bytes(plans, [](const ConvPlan& p) { return p.scratchpad_bytes; });
}

}  // namespace

std::size_t onednn_conv_plans_cached() { return plan_cache().size(); }

void onednn_conv2d_forward(const float* x, const float* w, const float* b, float* y, const Conv2dGeometry& g) {
  const SampleChunks chunks(g.batch);
  const ConvPass pass = b ? ConvPass::forward_with_bias : ConvPass::forward;
  const std::size_t rest = g.batch % kSamplesPerOnednnChunk;
  const std::shared_ptr<const ConvPlan> full_plan = conv_plan(g, kSamplesPerOnednnChunk, pass);
  const std::shared_ptr<const ConvPlan> partial_plan = rest ? conv_plan(g, rest, pass) : nullptr;
  const ConvPlan& full = *full_plan;
  const ConvPlan* partial = partial_plan.get();
  const PreparedWeights weights(full.second, partial ? &partial->second : nullptr, w);
  const std::size_t in_sample = g.in_channels * g.height * g.width, out_sample = g.out_channels * g.out_h * g.out_w;
  memory bias;
  if (b) bias = memory(bias_desc(g), cpu_engine(), const_cast<float*>(b));
#pragma omp parallel
  {
    dnnl::stream stream(cpu_engine());
    Storage src(largest_layout_bytes({&full, partial}, &ConvPlan::first));
    Storage dst(largest_layout_bytes({&full, partial}, &ConvPlan::output));
    Storage scratchpad(largest_scratchpad({&full, partial}));
#pragma omp for schedule(static)
    for (Index i = 0; i < static_cast<Index>(chunks.count); ++i) {
      const ConvPlan& p = chunks.size(i) == kSamplesPerOnednnChunk ? full : *partial;
      const std::size_t first = chunks.first(i);
      std::unordered_map<int, memory> args{
          {DNNL_ARG_SRC, prepared_input(p.first, x + first * in_sample, src.data(), stream)},
          {DNNL_ARG_WEIGHTS, weights.for_chunk(chunks.size(i))}};
      memory out_plain(p.output.plain, cpu_engine(), y + first * out_sample);
      memory out = p.output.reorder ? memory(p.output.chosen, cpu_engine(), dst.data()) : out_plain;
      args.emplace(DNNL_ARG_DST, out);
      if (b) args.emplace(DNNL_ARG_BIAS, bias);
      execute_conv(p.primitive, std::move(args), scratchpad.data(), p.scratchpad_bytes, stream);
      if (p.output.reorder) p.output.reorder->execute(stream, out, out_plain);
      stream.wait();
    }
  }
}

void onednn_conv2d_backward(const float* gy, const float* x, const float* w, float* dx, float* dw,
                            const Conv2dGeometry& g) {
  if (!dx && !dw) return;
  const SampleChunks chunks(g.batch);
  const std::size_t rest = g.batch % kSamplesPerOnednnChunk;
  const std::size_t in_sample = g.in_channels * g.height * g.width, out_sample = g.out_channels * g.out_h * g.out_w;
  const auto plan_if = [&](bool wanted, std::size_t batch, ConvPass pass) {
    return wanted ? conv_plan(g, batch, pass) : nullptr;
  };
  const std::shared_ptr<const ConvPlan> plans[] = {
      plan_if(dx, kSamplesPerOnednnChunk, ConvPass::backward_data), plan_if(dx && rest, rest, ConvPass::backward_data),
      plan_if(dw, kSamplesPerOnednnChunk, ConvPass::backward_weights),
      plan_if(dw && rest, rest, ConvPass::backward_weights)};
  const ConvPlan *data_full = plans[0].get(), *data_rest = plans[1].get(), *weights_full = plans[2].get(),
                 *weights_rest = plans[3].get();
  std::optional<PreparedWeights> weights;
  if (dx) weights.emplace(data_full->second, data_rest ? &data_rest->second : nullptr, w);
  // dW per chunk in the full chunk's chosen layout (the partial chunk's result is reordered into it),
  // summed in chunk order below.
  const std::size_t dw_bytes = dw ? weights_full->output.chosen.get_size() : 0;
  std::optional<Storage> partial_storage;
  if (dw) partial_storage.emplace(nonempty_bytes(chunks.count * dw_bytes));
  // Per thread: gy reordered for backward-data and (if its layout differs) for backward-weights; dx's
  // chosen layout, then x's (one after the other); the scratchpad.
  const std::size_t gy_bytes = std::max(largest_layout_bytes({data_full, data_rest}, &ConvPlan::first),
                                        largest_layout_bytes({weights_full, weights_rest}, &ConvPlan::second));
  const std::size_t x_bytes = std::max(largest_layout_bytes({data_full, data_rest}, &ConvPlan::output),
                                       largest_layout_bytes({weights_full, weights_rest}, &ConvPlan::first));
  const std::size_t scratch_bytes = largest_scratchpad({data_full, data_rest, weights_full, weights_rest});
#pragma omp parallel
  {
    dnnl::stream stream(cpu_engine());
    Storage diff_dst(gy_bytes), diff_dst_other(gy_bytes), src(x_bytes), scratchpad(scratch_bytes),
        dw_rest(nonempty_bytes(dw_bytes));
#pragma omp for schedule(static)
    for (Index i = 0; i < static_cast<Index>(chunks.count); ++i) {
      const bool is_full = chunks.size(i) == kSamplesPerOnednnChunk;
      const std::size_t first = chunks.first(i);
      const float* gy_chunk = gy + first * out_sample;
      std::optional<memory> gy_data;
      if (dx) {  // dx[chunk] = backward_data(gy[chunk], W)
        const ConvPlan& p = is_full ? *data_full : *data_rest;
        gy_data = prepared_input(p.first, gy_chunk, diff_dst.data(), stream);
        memory out_plain(p.output.plain, cpu_engine(), dx + first * in_sample);
        memory out = p.output.reorder ? memory(p.output.chosen, cpu_engine(), src.data()) : out_plain;
        execute_conv(p.primitive,
                     {{DNNL_ARG_DIFF_DST, *gy_data}, {DNNL_ARG_WEIGHTS, weights->for_chunk(chunks.size(i))},
                      {DNNL_ARG_DIFF_SRC, out}},
                     scratchpad.data(), p.scratchpad_bytes, stream);
        if (p.output.reorder) p.output.reorder->execute(stream, out, out_plain);
      }
      if (dw) {  // dW_chunk = backward_weights(x[chunk], gy[chunk])
        const ConvPlan& p = is_full ? *weights_full : *weights_rest;
        // gy as backward-data reordered it, when backward-weights wants the same layout.
        const memory gy_weights = gy_data && gy_data->get_desc() == p.second.chosen
                                      ? *gy_data
                                      : prepared_input(p.second, gy_chunk, diff_dst_other.data(), stream);
        const memory x_chunk = prepared_input(p.first, x + first * in_sample, src.data(), stream);
        char* partial = static_cast<char*>(partial_storage->data()) + static_cast<std::size_t>(i) * dw_bytes;
        const bool same_layout = p.output.chosen == weights_full->output.chosen;
        memory out(p.output.chosen, cpu_engine(), same_layout ? partial : dw_rest.data());
        execute_conv(p.primitive,
                     {{DNNL_ARG_SRC, x_chunk}, {DNNL_ARG_DIFF_DST, gy_weights}, {DNNL_ARG_DIFF_WEIGHTS, out}},
                     scratchpad.data(), p.scratchpad_bytes, stream);
        if (!same_layout) {  // into the full chunk's layout
          memory target(weights_full->output.chosen, cpu_engine(), partial);
          dnnl::reorder(out, target).execute(stream, out, target);
        }
      }
      stream.wait();
    }
  }
  if (!dw) return;
  // dW = Σ_chunk dW_chunk in chunk order (into chunk 0's partial), then reordered to OIHW.
  float* partials = static_cast<float*>(partial_storage->data());
  const std::size_t elements = dw_bytes / sizeof(float);
  detail::sum_chunk_partials(partials, chunks.count, elements, partials);
  dnnl::stream stream(cpu_engine());
  const ConvOperand& out = weights_full->output;
  memory summed(out.chosen, cpu_engine(), partials), plain(out.plain, cpu_engine(), dw);
  if (out.reorder) {
    out.reorder->execute(stream, summed, plain);
  } else {
    std::copy_n(partials, elements, dw);
  }
  stream.wait();
}

}  // namespace lucid::kernels
