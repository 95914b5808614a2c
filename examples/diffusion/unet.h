// The class-conditional UNet of the diffusion example: predicts the noise ε in a noised 28×28 image
// x_t, given the timestep t and a class label (kNullClass = "no label", for classifier-free guidance).
//
//   stem   Conv 3×3 (1 → C)                                       28×28, C
//   down0  ResBlock(C → C)                  → skip s0              28×28, C
//   pool0  Conv 3×3 stride 2 (C → 2C)                              14×14, 2C
//   down1  ResBlock(2C → 2C)                → skip s1              14×14, 2C
//   pool1  Conv 3×3 stride 2 (2C → 2C)                              7×7, 2C
//   mid    ResBlock(2C → 2C)                                        7×7, 2C
//   up1    Upsample ×2, cat s1, ResBlock(4C → 2C)                  14×14, 2C
//   up0    Upsample ×2, cat s0, ResBlock(3C → C)                   28×28, C
//   head   GroupNorm(8, C)+SiLU, Conv 3×3 (C → 1)
//
// A ResBlock is h = Conv3×3(SiLU(GN(x))); h += Linear(SiLU(emb)) per channel; h = Conv3×3(SiLU(GN(h)));
// out = h + skip(x) (a 1×1 conv when the channel counts differ). GroupNorm+SiLU runs as the fused kernel
// (GroupNormOptions{.activation = silu}). emb = MLP(sinusoidal(t)) + Embedding(label), width 4C.
// With C = 32: 93 M multiply-adds per image forward (≈ 0.56 GFLOP per image for forward + backward).
// Parameter names follow the member names ("down0.conv1.weight", ...); examples/diffusion/torch_unet.py
// would mirror them.
#pragma once

#include <cstdint>
#include <memory>

#include "lucid.h"

namespace diffusion {

inline constexpr std::int64_t kClasses = 10;
inline constexpr std::int64_t kNullClass = kClasses;  // the label of an unconditional forward

struct UNetOptions {
  std::int64_t channels = 32;  // C: width at 28×28; 2C at 14×14 and 7×7
  std::int64_t groups = 8;     // GroupNorm groups (must divide C)
};

// GroupNorm+SiLU → Conv, twice, with the embedding added per channel in between; residual skip.
class ResBlock : public lucid::nn::Module {
 public:
  ResBlock(std::int64_t in_channels, std::int64_t out_channels, std::int64_t embedding_dim, std::int64_t groups);
  // x (B, in, H, W), emb (B, embedding_dim) → (B, out, H, W).
  lucid::Tensor forward(const lucid::Tensor& x, const lucid::Tensor& emb);
  lucid::Tensor forward(const lucid::Tensor& x) override;  // ValueError: a ResBlock needs the embedding

 private:
  std::shared_ptr<lucid::nn::GroupNorm> norm1_, norm2_;
  std::shared_ptr<lucid::nn::Conv2d> conv1_, conv2_;
  std::shared_ptr<lucid::nn::Linear> embed_;
  std::shared_ptr<lucid::nn::Conv2d> skip_;  // null when in == out
};

class UNet : public lucid::nn::Module {
 public:
  // ValueError when channels < 1 or groups does not divide channels.
  explicit UNet(const UNetOptions& options = {});
  // x (B, 1, 28, 28) float32, t (B,) int64 timesteps, labels (B,) int64 in 0..kNullClass → ε̂ (B, 1, 28, 28).
  // ValueError for other shapes (H and W must be divisible by 4).
  lucid::Tensor forward(const lucid::Tensor& x, const lucid::Tensor& t, const lucid::Tensor& labels);
  lucid::Tensor forward(const lucid::Tensor& x) override;  // ValueError: the UNet needs t and labels

  UNetOptions options;

 private:
  std::shared_ptr<lucid::nn::Conv2d> stem_, pool0_, pool1_, head_conv_;
  std::shared_ptr<ResBlock> down0_, down1_, mid_, up1_, up0_;
  std::shared_ptr<lucid::nn::Linear> time1_, time2_;
  std::shared_ptr<lucid::nn::Embedding> label_;
  std::shared_ptr<lucid::nn::GroupNorm> head_norm_;
  std::shared_ptr<lucid::nn::Upsample> upsample_;
};

// The sinusoidal embedding of timesteps t (B,) int64: (B, dim) = [sin(t·f_i), cos(t·f_i)],
// f_i = 10000^(−i/(dim/2)), i = 0 .. dim/2 − 1 (the DDPM/Transformer form). dim must be even.
lucid::Tensor timestep_embedding(const lucid::Tensor& t, std::int64_t dim);

}  // namespace diffusion
