// The diffusion example's UNet (unet.h): ResBlocks of fused GroupNorm+SiLU and 3×3 convolutions,
// two downsamplings, nearest upsampling with skip concatenation, a time and class embedding.
#include "examples/diffusion/unet.h"

#include <cmath>
#include <vector>

namespace diffusion {

namespace {

namespace nn = lucid::nn;

std::shared_ptr<nn::Conv2d> conv3x3(std::int64_t in, std::int64_t out, std::int64_t stride = 1) {
  return std::make_shared<nn::Conv2d>(in, out, 3, nn::Conv2dOptions{.stride = stride, .padding = 1});
}

std::shared_ptr<nn::GroupNorm> group_norm_silu(std::int64_t groups, std::int64_t channels) {
  return std::make_shared<nn::GroupNorm>(groups, channels, nn::GroupNormOptions{.activation = nn::Activation::silu});
}

}  // namespace

ResBlock::ResBlock(std::int64_t in_channels, std::int64_t out_channels, std::int64_t embedding_dim, std::int64_t groups) {
  norm1_ = register_module("norm1", group_norm_silu(groups, in_channels));
  conv1_ = register_module("conv1", conv3x3(in_channels, out_channels));
  embed_ = register_module("embed", std::make_shared<nn::Linear>(embedding_dim, out_channels));
  norm2_ = register_module("norm2", group_norm_silu(groups, out_channels));
  conv2_ = register_module("conv2", conv3x3(out_channels, out_channels));
  if (in_channels != out_channels) {
    skip_ = register_module("skip", std::make_shared<nn::Conv2d>(in_channels, out_channels, 1));
  }
}

lucid::Tensor ResBlock::forward(const lucid::Tensor& x, const lucid::Tensor& emb) {
  lucid::Tensor h = (*conv1_)((*norm1_)(x));
  const lucid::Tensor e = (*embed_)(lucid::silu(emb));  // (B, out)
  h = h + e.reshape({e.size(0), e.size(1), 1, 1});
  h = (*conv2_)((*norm2_)(h));
  return h + (skip_ ? (*skip_)(x) : x);
}

lucid::Tensor ResBlock::forward(const lucid::Tensor&) {
  throw lucid::ValueError("ResBlock::forward needs the embedding: call forward(x, emb)");
}

UNet::UNet(const UNetOptions& opts) : options(opts) {
  const std::int64_t c = options.channels, g = options.groups;
  if (c < 1 || g < 1 || c % g != 0) {
    throw lucid::ValueError("UNet: channels (" + std::to_string(c) + ") must be a positive multiple of groups (" +
                            std::to_string(g) + ")");
  }
  const std::int64_t emb = 4 * c;
  time1_ = register_module("time1", std::make_shared<nn::Linear>(c, emb));
  time2_ = register_module("time2", std::make_shared<nn::Linear>(emb, emb));
  label_ = register_module("label", std::make_shared<nn::Embedding>(kClasses + 1, emb));
  stem_ = register_module("stem", conv3x3(1, c));
  down0_ = register_module("down0", std::make_shared<ResBlock>(c, c, emb, g));
  pool0_ = register_module("pool0", conv3x3(c, 2 * c, 2));
  down1_ = register_module("down1", std::make_shared<ResBlock>(2 * c, 2 * c, emb, g));
  pool1_ = register_module("pool1", conv3x3(2 * c, 2 * c, 2));
  mid_ = register_module("mid", std::make_shared<ResBlock>(2 * c, 2 * c, emb, g));
  up1_ = register_module("up1", std::make_shared<ResBlock>(4 * c, 2 * c, emb, g));
  up0_ = register_module("up0", std::make_shared<ResBlock>(3 * c, c, emb, g));
  head_norm_ = register_module("head_norm", group_norm_silu(g, c));
  head_conv_ = register_module("head_conv", conv3x3(c, 1));
  upsample_ = register_module("upsample", std::make_shared<nn::Upsample>(lucid::nn::UpsampleOptions{.scale_factor = 2.0}));
}

lucid::Tensor UNet::forward(const lucid::Tensor& x, const lucid::Tensor& t, const lucid::Tensor& labels) {
  if (x.dim() != 4 || x.size(1) != 1 || x.size(2) % 4 != 0 || x.size(3) % 4 != 0) {
    throw lucid::ValueError("UNet: x must be (B, 1, H, W) with H and W divisible by 4, got " + x.shape().str());
  }
  const std::int64_t b = x.size(0);
  if (t.dim() != 1 || t.size(0) != b || t.dtype() != lucid::int64 || labels.dim() != 1 || labels.size(0) != b ||
      labels.dtype() != lucid::int64) {
    throw lucid::ValueError("UNet: t and labels must be int64 of shape (" + std::to_string(b) + ",), got t " +
                            t.shape().str() + " and labels " + labels.shape().str());
  }
  const lucid::Tensor emb = (*time2_)(lucid::silu((*time1_)(timestep_embedding(t, options.channels)))) + (*label_)(labels);
  const lucid::Tensor s0 = down0_->forward((*stem_)(x), emb);
  const lucid::Tensor s1 = down1_->forward((*pool0_)(s0), emb);
  lucid::Tensor h = mid_->forward((*pool1_)(s1), emb);
  h = up1_->forward(lucid::cat({(*upsample_)(h), s1}, 1), emb);
  h = up0_->forward(lucid::cat({(*upsample_)(h), s0}, 1), emb);
  return (*head_conv_)((*head_norm_)(h));
}

lucid::Tensor UNet::forward(const lucid::Tensor&) {
  throw lucid::ValueError("UNet::forward needs timesteps and labels: call forward(x, t, labels)");
}

lucid::Tensor timestep_embedding(const lucid::Tensor& t, std::int64_t dim) {
  if (dim < 2 || dim % 2 != 0) throw lucid::ValueError("timestep_embedding: dim (" + std::to_string(dim) + ") must be even and ≥ 2");
  const std::int64_t half = dim / 2;
  std::vector<float> freqs(static_cast<std::size_t>(half));
  for (std::int64_t i = 0; i < half; ++i) {
    freqs[static_cast<std::size_t>(i)] = static_cast<float>(std::exp(-std::log(10000.0) * static_cast<double>(i) / static_cast<double>(half)));
  }
  const lucid::Tensor angles = t.to(lucid::float32).reshape({t.size(0), 1}) * lucid::tensor(freqs, {1, half});
  return lucid::cat({lucid::sin(angles), lucid::cos(angles)}, 1);
}

}  // namespace diffusion
