#include "modules/data/fashion_mnist.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "framework/number_format.h"
#include "modules/data/idx.h"

namespace lucid::data {
namespace {

// <dir>/<name>.gz, or <dir>/<name> when only the uncompressed file exists.
std::filesystem::path idx_path(const std::filesystem::path& dir, const std::string& name) {
  const std::filesystem::path gz = dir / (name + ".gz");
  const std::filesystem::path plain = dir / name;
  return !std::filesystem::exists(gz) && std::filesystem::exists(plain) ? plain : gz;
}

}  // namespace

Dataset load_fashion_mnist(const std::filesystem::path& dir, bool train, std::int64_t limit, double mean,
                           double stddev) {
  if (limit < 0) throw ValueError("load_fashion_mnist: limit must be >= 0, got " + std::to_string(limit));
  if (!(stddev > 0) || !std::isfinite(stddev) || !std::isfinite(mean)) {
    throw ValueError("load_fashion_mnist: need a finite mean and a positive finite stddev, got mean " +
                     format_number(mean) + ", stddev " + format_number(stddev));
  }
  const std::string split = train ? "train" : "t10k";
  const std::filesystem::path images_path = idx_path(dir, split + "-images-idx3-ubyte");
  const std::filesystem::path labels_path = idx_path(dir, split + "-labels-idx1-ubyte");
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (images.shape.dim() != 3) {
    throw ValueError("'" + images_path.string() + "': expected images of shape (N, H, W), got " +
                     images.shape.str());
  }
  if (labels.shape != Shape{images.shape[0]}) {
    throw ValueError("'" + labels_path.string() + "': expected labels of shape (" + std::to_string(images.shape[0]) +
                     ",) to match the images " + images.shape.str() + ", got " + labels.shape.str());
  }
  const std::int64_t n = limit > 0 ? std::min(limit, images.shape[0]) : images.shape[0];
  const std::int64_t h = images.shape[1], w = images.shape[2];

  // x = (b / 255 − mean) / stddev for each of the 256 byte values, computed in double.
  std::array<float, 256> lut;
  for (int b = 0; b < 256; ++b) lut[b] = static_cast<float>((b / 255.0 - mean) / stddev);
  Dataset out{Tensor::empty({n, 1, h, w}), Tensor::empty({n}, int64)};
  float* x = out.images.data<float>();
  for (std::int64_t i = 0; i < n * h * w; ++i) x[i] = lut[images.data[static_cast<std::size_t>(i)]];
  std::int64_t* y = out.targets.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint8_t label = labels.data[static_cast<std::size_t>(i)];
    if (label >= kFashionMnistClasses) {
      throw ValueError("'" + labels_path.string() + "': label " + std::to_string(label) + " at index " +
                       std::to_string(i) + " is not a class id in [0, " + std::to_string(kFashionMnistClasses) + ")");
    }
    y[i] = label;
  }
  return out;
}

}  // namespace lucid::data
