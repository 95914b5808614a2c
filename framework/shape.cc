#include "framework/shape.h"

#include <limits>
#include <sstream>

#include "framework/errors.h"

namespace lucid {

Shape::Shape(std::initializer_list<std::int64_t> dims) : dims_(dims.begin(), dims.end()) { validate(); }

Shape::Shape(Dims dims) : dims_(std::move(dims)) { validate(); }

void Shape::validate() const {
  std::int64_t total = 1;
  for (std::int64_t d : dims_) {
    if (d < 0) throw ValueError("shape " + str() + " has a negative dimension (" + std::to_string(d) + ")");
    if (d != 0 && total > std::numeric_limits<std::int64_t>::max() / d) {
      throw ValueError("shape " + str() + " has more elements than int64 can count");
    }
    total *= d;
  }
}

std::int64_t Shape::numel() const {
  std::int64_t n = 1;
  for (std::int64_t d : dims_) n *= d;
  return n;
}

std::size_t Shape::normalize_dim(std::int64_t d) const {
  const std::int64_t rank = dim();
  if (d < -rank || d >= rank) {
    throw ValueError("dimension " + std::to_string(d) + " is out of range for shape " + str() +
                     " (expected a value in [" + std::to_string(-rank) + ", " + std::to_string(rank) + "))");
  }
  return static_cast<std::size_t>(d < 0 ? d + rank : d);
}

Shape::Dims Shape::contiguous_strides() const {
  Dims strides(dims_.size());
  std::int64_t stride = 1;
  for (std::size_t i = dims_.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= dims_[i];
  }
  return strides;
}

std::string Shape::str() const {
  std::ostringstream os;
  os << '(';
  for (std::size_t i = 0; i < dims_.size(); ++i) os << (i ? ", " : "") << dims_[i];
  if (dims_.size() == 1) os << ',';
  os << ')';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.str(); }

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  if (a == b) return a;
  const std::size_t rank = std::max(a.size(), b.size());
  Shape::Dims out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a.dims()[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b.dims()[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw ValueError("shapes " + a.str() + " and " + b.str() + " do not broadcast: dimension " +
                       std::to_string(i) + " is " + std::to_string(da) + " vs " + std::to_string(db));
    }
    out[i] = da == 1 ? db : da;
  }
  return Shape(std::move(out));
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t lead = to.size() - from.size();
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (from.dims()[i] != to.dims()[lead + i] && from.dims()[i] != 1) return false;
  }
  return true;
}

}  // namespace lucid
