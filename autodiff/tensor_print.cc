// Printing of tensors in PyTorch's layout: nested brackets, aligned columns, "..." past 1000 elements;
// int64 values print as integers without a dtype, as PyTorch prints its default integer type.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "framework/tensor.h"
#include "autodiff/node.h"

namespace lucid {
namespace {

constexpr std::int64_t kSummariseAbove = 1000;  // elements; larger tensors print their edges only
constexpr std::int64_t kEdgeItems = 3;

std::string format_value(double v, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", precision, v);
  return buf;
}

// The text of each element, by row-major position: exact digits for int64, 4 decimals for floats.
std::vector<std::string> format_elements(const Tensor& tensor) {
  std::vector<std::string> cells;
  cells.reserve(static_cast<std::size_t>(tensor.numel()));
  if (tensor.dtype() == int64) {
    for (std::int64_t v : tensor.to_vector<std::int64_t>()) cells.push_back(std::to_string(v));
  } else {
    for (double v : tensor.to_vector<double>()) cells.push_back(format_value(v, 4));
  }
  return cells;
}

struct Printer {
  std::ostream& os;
  std::vector<std::string> cells;
  Shape shape;
  Shape::Dims strides;
  bool summarise;
  std::size_t width = 0;

  void print(std::size_t dim, std::int64_t base, int indent) {
    const std::int64_t n = shape.dims()[dim];
    os << '[';
    for (std::int64_t i = 0; i < n; ++i) {
      if (summarise && n > 2 * kEdgeItems && i == kEdgeItems) {
        os << (dim + 1 == shape.size() ? "..., " : "...,\n" + std::string(indent + 1, ' '));
        i = n - kEdgeItems;
      }
      if (dim + 1 == shape.size()) {
        const std::string& s = cells[static_cast<std::size_t>(base + i * strides[dim])];
        os << std::string(width - std::min(width, s.size()), ' ') << s;
      } else {
        print(dim + 1, base + i * strides[dim], indent + 1);
      }
      if (i + 1 < n) os << (dim + 1 == shape.size() ? ", " : ",\n" + std::string(shape.size() - dim - 2, '\n') + std::string(indent + 1, ' '));
    }
    os << ']';
  }
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& tensor) {
  if (!tensor.defined()) return os << "tensor(undefined)";
  os << "tensor(";
  Printer printer{os, format_elements(tensor), tensor.shape(), tensor.shape().contiguous_strides(),
                  tensor.numel() > kSummariseAbove};
  for (const std::string& cell : printer.cells) printer.width = std::max(printer.width, cell.size());
  if (tensor.dim() == 0) {
    os << printer.cells[0];
  } else if (tensor.numel() == 0) {
    os << "[]";
    if (tensor.dim() > 1) os << ", size=" << tensor.shape();  // PyTorch: tensor([]) for shape (0,)
  } else {
    printer.print(0, 0, 7);
  }
  if (tensor.dtype() == float64) os << ", dtype=" << tensor.dtype();  // float32 and int64 are defaults
  if (tensor.grad_fn()) {
    os << ", grad_fn=<" << tensor.grad_fn()->name() << '>';
  } else if (tensor.requires_grad()) {
    os << ", requires_grad=True";
  }
  return os << ')';
}

}  // namespace lucid
