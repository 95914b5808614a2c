#include "framework/kernels/strided_loop.h"

namespace lucid::kernels {

Shape::Dims broadcast_strides(const Shape& shape, std::size_t rank) {
  Shape::Dims strides(rank, 0);
  const Shape::Dims own = shape.contiguous_strides();
  const std::size_t lead = rank - shape.size();
  for (std::size_t i = 0; i < shape.size(); ++i) {
    strides[lead + i] = shape.dims()[i] == 1 ? 0 : own[i];
  }
  return strides;
}

}  // namespace lucid::kernels
