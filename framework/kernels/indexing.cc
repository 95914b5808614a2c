#include "framework/kernels/indexing.h"

#include <cmath>
#include <string>
#include <vector>

#include "framework/kernels/layout.h"
#include "framework/kernels/strided_loop.h"
#include "framework/number_format.h"

namespace lucid::kernels {
namespace {

// x seen as (outer, extent, inner) around dimension `dim`.
struct AroundDim {
  std::int64_t outer = 1, extent = 1, inner = 1;
  AroundDim(const Shape& shape, std::size_t dim) {
    for (std::size_t d = 0; d < shape.size(); ++d) {
      const std::int64_t s = shape.dims()[d];
      if (d < dim) outer *= s;
      if (d == dim) extent = s;
      if (d > dim) inner *= s;
    }
  }
};

void check_index_tensor(const char* op, const Tensor& index) {
  if (index.dtype() != int64) {
    throw ValueError(std::string(op) + ": indices must be an int64 tensor, got " + std::string(dtype_name(index.dtype())) +
                     "; convert them with .to(lucid::int64)");
  }
}

// ValueError unless every index lies in [0, extent).
void check_in_range(const char* op, const Tensor& index, std::int64_t extent, std::size_t dim) {
  const std::int64_t* p = index.data<std::int64_t>();
  for (std::int64_t k = 0, n = index.numel(); k < n; ++k) {
    if (p[k] < 0 || p[k] >= extent) {
      throw ValueError(std::string(op) + ": index " + std::to_string(p[k]) + " (element " + std::to_string(k) +
                       " of the indices) is out of range for dimension " + std::to_string(dim) + " of size " +
                       std::to_string(extent));
    }
  }
}

// The strides of `shape` with the one along `dim` set to 0: the gathered coordinate comes from index.
Shape::Dims strides_without(const Shape& shape, std::size_t dim) {
  Shape::Dims strides = shape.contiguous_strides();
  strides[dim] = 0;
  return strides;
}

// For every element i of index: body(position of i in `index`-shaped contiguous data, position of
// i with its `dim` coordinate replaced by index[i] in contiguous data of `shape`).
template <typename Body>
void for_each_indexed(const Tensor& index, std::size_t dim, const Shape& shape, Body&& body) {
  const std::int64_t* idx = index.data<std::int64_t>();
  const std::int64_t dim_stride = shape.contiguous_strides()[dim];
  const std::array<Shape::Dims, 2> strides{index.shape().contiguous_strides(), strides_without(shape, dim)};
  for_each_row<2>(index.shape().dims(), strides, [&](auto offset, std::int64_t count, auto step) {
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t at = offset[0] + i * step[0];
      body(at, offset[1] + i * step[1] + idx[at] * dim_stride);
    }
  });
}

void check_gather_shapes(const char* op, const Tensor& index, std::size_t dim, const Shape& shape) {
  bool fits = index.dim() == static_cast<std::int64_t>(shape.size());
  for (std::size_t d = 0; fits && d < shape.size(); ++d) fits = d == dim || index.shape().dims()[d] <= shape.dims()[d];
  if (!fits) {
    throw ValueError(std::string(op) + ": indices of shape " + index.shape().str() + " do not fit input of shape " +
                     shape.str() + " along dimension " + std::to_string(dim) +
                     " (same rank, no larger in the other dimensions)");
  }
}

}  // namespace

// out[a, b] = the j minimising (largest: maximising) x[a, j, b], first j on ties, a NaN first of all.
Tensor arg_extreme(const char* op, const Tensor& x_in, std::size_t dim, bool largest) {
  const Tensor x = dense(x_in);
  const AroundDim v(x.shape(), dim);
  if (v.extent == 0) {
    throw ValueError(std::string(op) + ": dimension " + std::to_string(dim) + " of shape " + x.shape().str() +
                     " is empty; there is no extreme to find");
  }
  Shape::Dims out_dims = x.shape().dims();
  out_dims.erase(out_dims.begin() + static_cast<std::ptrdiff_t>(dim));
  Tensor out = Tensor::empty(Shape(out_dims), int64);
  std::int64_t* po = out.data<std::int64_t>();
  visit_any_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    for (std::int64_t a = 0; a < v.outer; ++a) {
      for (std::int64_t b = 0; b < v.inner; ++b) {
        const T* row = px + a * v.extent * v.inner + b;
        std::int64_t best = 0;
        for (std::int64_t j = 0; j < v.extent; ++j) {
          const T value = row[j * v.inner];
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(value)) {
              best = j;
              break;
            }
          }
          if (largest ? value > row[best * v.inner] : value < row[best * v.inner]) best = j;
        }
        po[a * v.inner + b] = best;
      }
    }
  });
  return out;
}

// out[a, j, b] = x[a, index[j], b]
Tensor index_select(const char* op, const Tensor& x_in, std::size_t dim, const Tensor& index_in) {
  const Tensor x = dense(x_in), index = dense(index_in);
  check_index_tensor(op, index);
  if (index.dim() > 1) {
    throw ValueError(std::string(op) + ": indices must be 0-d or 1-D, got shape " + index.shape().str());
  }
  const AroundDim v(x.shape(), dim);
  check_in_range(op, index, v.extent, dim);
  Shape::Dims out_dims = x.shape().dims();
  out_dims[dim] = index.numel();
  Tensor out = Tensor::empty(Shape(out_dims), x.dtype());
  const std::int64_t* idx = index.data<std::int64_t>();
  const std::int64_t k = index.numel();
  visit_any_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for (std::int64_t a = 0; a < v.outer; ++a) {
      for (std::int64_t j = 0; j < k; ++j) {
        std::copy_n(px + (a * v.extent + idx[j]) * v.inner, v.inner, po + (a * k + j) * v.inner);
      }
    }
  });
  return out;
}

// out = 0; out[a, index[j], b] += g[a, j, b]
Tensor index_add_to_zeros(const Tensor& g_in, std::size_t dim, const Tensor& index_in, const Shape& shape) {
  const Tensor g = dense(g_in), index = dense(index_in);
  const AroundDim v(shape, dim);
  Tensor out = Tensor::empty(shape, g.dtype());
  const std::int64_t* idx = index.data<std::int64_t>();
  const std::int64_t k = index.numel();
  visit_dtype(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pg = g.data<T>();
    T* po = out.data<T>();
    std::fill_n(po, out.numel(), T(0));
    for (std::int64_t a = 0; a < v.outer; ++a) {
      for (std::int64_t j = 0; j < k; ++j) {
        T* dst = po + (a * v.extent + idx[j]) * v.inner;
        const T* src = pg + (a * k + j) * v.inner;
        for (std::int64_t b = 0; b < v.inner; ++b) dst[b] += src[b];
      }
    }
  });
  return out;
}

// out = x; out[index[j], b] = src[j, b]
Tensor index_copy_rows(const char* op, const Tensor& x_in, const Tensor& index_in, const Tensor& src_in) {
  const Tensor x = dense(x_in), index = dense(index_in), src = dense(src_in);
  check_index_tensor(op, index);
  const AroundDim v(x.shape(), 0);
  check_in_range(op, index, v.extent, 0);
  Tensor out = cast(x, x.dtype());
  const std::int64_t* idx = index.data<std::int64_t>();
  visit_any_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* ps = src.data<T>();
    T* po = out.data<T>();
    for (std::int64_t j = 0, k = index.numel(); j < k; ++j) std::copy_n(ps + j * v.inner, v.inner, po + idx[j] * v.inner);
  });
  return out;
}

std::vector<Tensor> mask_positions(const char* op, const Tensor& mask_in) {
  const Tensor mask = dense(mask_in);
  const std::size_t rank = mask.shape().size();
  const Shape::Dims strides = mask.shape().contiguous_strides();
  std::vector<std::vector<std::int64_t>> coordinates(rank);
  visit_dtype(mask.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pm = mask.data<T>();
    for (std::int64_t i = 0, n = mask.numel(); i < n; ++i) {
      if (pm[i] == T(0)) continue;
      if (pm[i] != T(1)) {
        throw ValueError(std::string(op) + ": a floating index tensor is a 0/1 mask, but element " + std::to_string(i) +
                         " is " + format_number(pm[i]) + " (index with an int64 tensor to pick positions)");
      }
      for (std::size_t d = 0; d < rank; ++d) coordinates[d].push_back(i / strides[d] % mask.shape().dims()[d]);
    }
  });
  std::vector<Tensor> out;
  for (const std::vector<std::int64_t>& c : coordinates) {
    Tensor t = Tensor::empty(Shape{static_cast<std::int64_t>(c.size())}, int64);
    std::copy(c.begin(), c.end(), t.data<std::int64_t>());
    out.push_back(t);
  }
  return out;
}

// out[i] = x[i with coordinate dim = index[i]]
Tensor gather(const char* op, const Tensor& x_in, std::size_t dim, const Tensor& index_in) {
  const Tensor x = dense(x_in), index = dense(index_in);
  check_index_tensor(op, index);
  check_gather_shapes(op, index, dim, x.shape());
  check_in_range(op, index, x.shape().dims()[dim], dim);
  Tensor out = Tensor::empty(index.shape(), x.dtype());
  visit_any_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for_each_indexed(index, dim, x.shape(), [&](std::int64_t at, std::int64_t from) { po[at] = px[from]; });
  });
  return out;
}

// out = 0; out[i with coordinate dim = index[i]] += g[i]
Tensor scatter_add_to_zeros(const Tensor& g_in, std::size_t dim, const Tensor& index_in, const Shape& shape) {
  const Tensor g = dense(g_in), index = dense(index_in);
  Tensor out = Tensor::empty(shape, g.dtype());
  visit_dtype(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pg = g.data<T>();
    T* po = out.data<T>();
    std::fill_n(po, out.numel(), T(0));
    for_each_indexed(index, dim, shape, [&](std::int64_t at, std::int64_t to) { po[to] += pg[at]; });
  });
  return out;
}

}  // namespace lucid::kernels
