#include "modules/data/data_loader.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "framework/kernels/layout.h"
#include "framework/random.h"

namespace lucid::data {
namespace {

void check_tensor(const Tensor& t, const char* what) {
  if (!t.defined()) throw ValueError(std::string("DataLoader: the dataset's ") + what + " tensor is undefined");
  if (t.dim() == 0) {
    throw ValueError(std::string("DataLoader: the dataset's ") + what +
                     " must have a sample dimension first, got a 0-dimensional tensor");
  }
}

void check_epoch(std::int64_t epoch) {
  if (epoch < 0) throw ValueError("DataLoader: epoch must be >= 0, got " + std::to_string(epoch));
}

// Copies the rows `order[first, first + count)` of src (rows along dimension 0) into a new tensor.
Tensor gather_rows(const Tensor& src, const std::vector<std::int64_t>& order, std::int64_t first, std::int64_t count) {
  Shape::Dims dims = src.shape().dims();
  const std::size_t row_bytes =
      static_cast<std::size_t>(dims[0] == 0 ? 0 : src.numel() / dims[0]) * element_size(src.dtype());
  dims[0] = count;
  Tensor out = Tensor::empty(Shape(std::move(dims)), src.dtype());
  const TensorImpl& in = *src.impl();
  const auto* from = static_cast<const std::byte*>(in.storage->data()) +
                     static_cast<std::size_t>(in.offset) * element_size(in.dtype);
  auto* to = static_cast<std::byte*>(out.impl()->storage->data());
  for (std::int64_t i = 0; i < count; ++i) {
    const auto row = static_cast<std::size_t>(order[static_cast<std::size_t>(first + i)]);
    std::memcpy(to + static_cast<std::size_t>(i) * row_bytes, from + row * row_bytes, row_bytes);
  }
  return out;
}

}  // namespace

DataLoader::DataLoader(Dataset dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  if (options_.batch_size <= 0) {
    throw ValueError("DataLoader: batch_size must be positive, got " + std::to_string(options_.batch_size));
  }
  check_tensor(dataset_.images, "images");
  check_tensor(dataset_.targets, "targets");
  if (dataset_.images.size(0) != dataset_.targets.size(0)) {
    throw ValueError("DataLoader: images " + dataset_.images.shape().str() + " and targets " +
                     dataset_.targets.shape().str() + " hold different numbers of samples");
  }
  if (options_.sampler && options_.shuffle) {
    throw ValueError("DataLoader: shuffle must be false when a sampler is given (the sampler decides the order)");
  }
  if (options_.shuffle && options_.generator) options_.seed = options_.generator->next_u64();
  options_.generator = nullptr;  // used only here: options() never shows a pointer that may dangle
  // Batches copy whole rows of row-major data: a strided view (a slice of a larger tensor) once here.
  dataset_.images = kernels::dense(dataset_.images);
  dataset_.targets = kernels::dense(dataset_.targets);
}

std::int64_t DataLoader::size() const {
  const std::int64_t n = samples(), b = options_.batch_size;
  return options_.drop_last ? n / b : n / b + (n % b != 0);  // not (n + b − 1) / b: overflows for b near 2⁶³
}

void DataLoader::set_epoch(std::int64_t epoch) {
  check_epoch(epoch);
  epoch_ = epoch;
}

std::vector<std::int64_t> DataLoader::order(std::int64_t epoch) const {
  check_epoch(epoch);
  const std::int64_t n = dataset_.size();
  if (options_.sampler) {
    std::vector<std::int64_t> out = options_.sampler->indices(epoch);
    if (static_cast<std::int64_t>(out.size()) != options_.sampler->size()) {
      throw ValueError("DataLoader: the sampler gave " + std::to_string(out.size()) + " indices, its size() is " +
                       std::to_string(options_.sampler->size()));
    }
    for (const std::int64_t i : out) {
      if (i < 0 || i >= n) {
        throw ValueError("DataLoader: the sampler gave index " + std::to_string(i) + " for a dataset of " +
                         std::to_string(n) + " samples");
      }
    }
    return out;
  }
  if (options_.shuffle) return random_permutation(n, options_.seed, static_cast<std::uint64_t>(epoch));
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = i;
  return out;
}

Batch DataLoader::gather(const std::vector<std::int64_t>& order, std::int64_t first, std::int64_t count) const {
  count = std::min(count, static_cast<std::int64_t>(order.size()) - first);
  return {gather_rows(dataset_.images, order, first, count), gather_rows(dataset_.targets, order, first, count)};
}

DataLoader::Iterator DataLoader::begin() {
  auto shared_order = std::make_shared<const std::vector<std::int64_t>>(order(epoch_));
  ++epoch_;
  return Iterator(this, std::move(shared_order), 0);
}

Batch DataLoader::Iterator::operator*() const {
  return loader_->gather(*order_, batch_ * loader_->options_.batch_size, loader_->options_.batch_size);
}

}  // namespace lucid::data
