#include "framework/kernels/strided_loop.h"

namespace lucid::kernels {

Shape::Dims broadcast_strides(const Shape& shape, std::size_t rank) {
  return broadcast_strides(shape, shape.contiguous_strides(), rank);
}

Shape::Dims broadcast_strides(const Shape& shape, const Shape::Dims& own, std::size_t rank) {
  Shape::Dims strides(rank, 0);
  const std::size_t lead = rank - shape.size();
  for (std::size_t i = 0; i < shape.size(); ++i) {
    strides[lead + i] = shape.dims()[i] == 1 ? 0 : own[i];
  }
  return strides;
}

}  // namespace lucid::kernels
