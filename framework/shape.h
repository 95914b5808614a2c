// Shape: the sizes of a tensor's dimensions, printed like a Python tuple: (4, 32, 64, 64).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace lucid {

class Shape {
 public:
  using Dims = boost::container::small_vector<std::int64_t, 6>;

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims);
  Shape(const std::vector<std::int64_t>& dims) : dims_(dims.begin(), dims.end()) { validate(); }
  explicit Shape(Dims dims);
  template <typename It>
  Shape(It first, It last) : dims_(first, last) { validate(); }

  std::int64_t dim() const { return static_cast<std::int64_t>(dims_.size()); }
  std::size_t size() const { return dims_.size(); }
  // Size of dimension d; negative d counts from the end. Throws ValueError when out of range.
  std::int64_t operator[](std::int64_t d) const { return dims_[normalize_dim(d)]; }
  std::int64_t& operator[](std::int64_t d) { return dims_[normalize_dim(d)]; }
  std::int64_t numel() const;
  const Dims& dims() const { return dims_; }
  auto begin() const { return dims_.begin(); }
  auto end() const { return dims_.end(); }

  // Maps d in [-dim(), dim()) to [0, dim()); throws ValueError otherwise.
  std::size_t normalize_dim(std::int64_t d) const;
  // Row-major (C order) strides in elements.
  Dims contiguous_strides() const;
  std::string str() const;

  friend bool operator==(const Shape& a, const Shape& b) { return a.dims_ == b.dims_; }

 private:
  void validate() const;
  Dims dims_;
};

std::ostream& operator<<(std::ostream& os, const Shape& shape);

// The integers a function takes where some may be negative (reshape's and view's sizes with one -1,
// permute's dims): a braced list, a std::vector<std::int64_t> or a Shape, as LibTorch's IntArrayRef,
// so that x.reshape({2, -1}), x.reshape(sizes) and x.reshape(y.shape()) all compile.
class IntList {
 public:
  IntList(std::initializer_list<std::int64_t> values) : values_(values) {}
  IntList(const std::vector<std::int64_t>& values) : values_(values.begin(), values.end()) {}
  IntList(const Shape& shape) : values_(shape.begin(), shape.end()) {}
  template <typename It>
  IntList(It first, It last) : values_(first, last) {}

  std::size_t size() const { return values_.size(); }
  std::int64_t operator[](std::size_t i) const { return values_[i]; }
  auto begin() const { return values_.begin(); }
  auto end() const { return values_.end(); }
  std::vector<std::int64_t> vec() const { return {values_.begin(), values_.end()}; }

 private:
  Shape::Dims values_;
};

// NumPy broadcasting: aligns trailing dimensions; sizes must match or be 1.
// Throws ValueError naming both shapes when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// Whether `from` broadcasts to `to` itself (trailing dimensions aligned, each equal or 1 in from).
bool broadcasts_to(const Shape& from, const Shape& to);

}  // namespace lucid
