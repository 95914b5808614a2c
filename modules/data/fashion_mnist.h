// Fashion-MNIST (and any MNIST-layout data set) loaded from its IDX files into a Dataset.
#pragma once

#include <cstdint>
#include <filesystem>

#include "modules/data/dataset.h"

namespace lucid::data {

// Where Debian's dataset-fashion-mnist package installs the files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
// Pixel statistics of the Fashion-MNIST training images, after scaling to [0, 1].
inline constexpr double kFashionMnistMean = 0.2860;
inline constexpr double kFashionMnistStd = 0.3530;
inline constexpr std::int64_t kFashionMnistClasses = 10;

// Reads <dir>/{train,t10k}-images-idx3-ubyte.gz and -labels-idx1-ubyte.gz (or the same names
// without .gz when only those exist). Returns images float32 (N, 1, H, W) with
// x = (byte / 255 − mean) / stddev, and targets int64 (N,) holding the class ids 0..9, which is
// what nn::functional::cross_entropy takes. limit > 0 keeps the first `limit` samples (all when
// the file has fewer). ValueError naming the file for a missing or corrupt file, images that are
// not (N, H, W), labels that are not (N,) with the same N, or a label outside 0..9; and for
// limit < 0 or a stddev that is not positive and finite.
Dataset load_fashion_mnist(const std::filesystem::path& dir = kFashionMnistDir, bool train = true,
                           std::int64_t limit = 0, double mean = kFashionMnistMean, double stddev = kFashionMnistStd);

}  // namespace lucid::data
